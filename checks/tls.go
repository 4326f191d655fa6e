package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"
)

var tlsVersions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

func init() {
	Register(Type{
		Name:  "tls",
		Title: "TLS certificate",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "server_name", Kind: "string", Help: "Name sent as SNI and checked against the certificate; defaults to the target's host."},
			{Name: "tls_verify_chain", Kind: "bool", Default: "true", Help: "Verify the chain up to a trusted root and the host name; when off only dates and signature strength are checked."},
			caFileSetting,
			{Name: "min_tls_version", Kind: "enum", Options: []string{"1.2", "1.3"}, Help: "Problem when the server negotiates an older TLS version; empty accepts any."},
		},
			certExpirySettings,
			responseTimeSettings("connect and handshake take"),
		),
		TargetHelp:     "host:port, e.g. example.com:443 (port 443 when left out)",
		ValidateTarget: func(target string) error { return validateHostPort(target, true) },
		New:            newTLSChecker,
	})
}

type tlsSettings struct {
	ServerName            string `json:"server_name"`
	TLSVerifyChain        bool   `json:"tls_verify_chain"`
	CAFile                string `json:"ca_file"`
	MinTLSVersion         string `json:"min_tls_version"`
	CertExpiryWarningDays int    `json:"cert_expiry_warning_days"`
	CertExpiryErrorDays   int    `json:"cert_expiry_error_days"`
	ResponseTimeWarningMS int    `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int    `json:"response_time_error_ms"`
}

type tlsChecker struct {
	s      tlsSettings
	roots  *x509.CertPool
	minVer uint16
	cert   CertExpiry
	rt     ResponseTime
	now    func() time.Time
}

var _ Checker = (*tlsChecker)(nil)

func newTLSChecker(raw json.RawMessage) (Checker, error) {
	s := tlsSettings{TLSVerifyChain: true, CertExpiryWarningDays: DefaultCertWarningDays, CertExpiryErrorDays: DefaultCertErrorDays}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &tlsChecker{
		s:    s,
		cert: CertExpiry{WarningDays: s.CertExpiryWarningDays, ErrorDays: s.CertExpiryErrorDays},
		rt:   ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS},
		now:  time.Now,
	}
	if s.ServerName != "" && strings.ContainsAny(s.ServerName, " :/") {
		return nil, &SettingError{Field: "settings.server_name", Msg: "must be a host name without port"}
	}
	if s.MinTLSVersion != "" {
		v, ok := tlsVersions[s.MinTLSVersion]
		if !ok {
			return nil, &SettingError{Field: "settings.min_tls_version", Msg: `must be "1.2" or "1.3"`}
		}
		c.minVer = v
	}
	if err := c.cert.Validate(); err != nil {
		return nil, err
	}
	if err := c.rt.Validate(); err != nil {
		return nil, err
	}
	var err error
	if c.roots, err = loadCAFile(s.CAFile); err != nil {
		return nil, err
	}
	return c, nil
}

// Check connects, completes a handshake and judges the certificate.
func (c *tlsChecker) Check(ctx context.Context, target string) Result {
	host, port, err := splitHostPortDefault(target, "443")
	if err != nil {
		return problem(0, err.Error(), nil)
	}
	name := c.s.ServerName
	if name == "" {
		name = host
	}
	start := time.Now()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	connect := time.Since(start)
	if err != nil {
		return problem(connect, netErrorMessage(ctx, err, connect), nil)
	}
	defer raw.Close()
	conn := tls.Client(raw, &tls.Config{
		ServerName: name,
		// The chain is verified after the handshake, by verifyPeer, so that
		// the certificate's dates are reported even when it is not trusted.
		InsecureSkipVerify: true, //nolint:gosec // verified by verifyPeer
	})
	err = conn.HandshakeContext(ctx)
	elapsed := time.Since(start)
	if err != nil {
		if msg, ok := tlsErrorMessage(err); ok {
			return problem(elapsed, msg, nil)
		}
		return problem(elapsed, "tls handshake: "+netErrorMessage(ctx, err, elapsed), nil)
	}
	return c.judge(conn.ConnectionState(), name, connect, elapsed)
}

func (c *tlsChecker) judge(cs tls.ConnectionState, name string, connect, elapsed time.Duration) Result {
	if len(cs.PeerCertificates) == 0 {
		return problem(elapsed, "server sent no certificate", nil)
	}
	now := c.now()
	leaf := cs.PeerCertificates[0]
	st, left, expiryMsg := c.cert.Judge(now, leaf.NotAfter)
	values := map[string]float64{
		"cert_days_left": roundDays(left),
		"tls_version":    tlsVersionValue(cs.Version),
		"connect_ms":     roundMS(Millis(connect)),
		"handshake_ms":   roundMS(Millis(elapsed - connect)),
	}
	if err := verifyPeer(cs.PeerCertificates, name, c.roots, c.s.TLSVerifyChain, now); err != nil {
		return problem(elapsed, err.Error(), values)
	}
	if c.minVer != 0 && cs.Version < c.minVer {
		return problem(elapsed, fmt.Sprintf("TLS %s negotiated, below min_tls_version %s", tlsVersionName(cs.Version), c.s.MinTLSVersion), values)
	}
	r := Result{Status: st, LatencyMS: Millis(elapsed), Values: values}
	r.Message = fmt.Sprintf("TLS %s, certificate valid until %s (%s left)", tlsVersionName(cs.Version), leaf.NotAfter.UTC().Format(time.DateOnly), days(left))
	if st != StatusOK {
		r.Message = expiryMsg + ", TLS " + tlsVersionName(cs.Version)
	}
	if rst, note := c.rt.Judge(elapsed); rst != StatusOK {
		r.Status, r.Message = Worse(r.Status, rst), r.Message+": "+note
	}
	return r
}
