package checks

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// maxCAFile bounds the size of a ca_file.
const maxCAFile = 1 << 20

// certProblem is a certificate verification failure with a message that
// names the problem ("certificate expired 2 days ago", "self-signed
// certificate"); it travels through net/http as an error.
type certProblem struct {
	msg  string
	leaf *x509.Certificate // nil when the server sent none
}

func (e *certProblem) Error() string { return e.msg }

// loadCAFile reads PEM certificates to trust besides nothing else: when a
// ca_file is set, only its certificates are trusted roots.
func loadCAFile(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	// Only a bounded regular file: a device or FIFO would block or never
	// end, and the path comes from API input.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &SettingError{Field: "settings.ca_file", Msg: "cannot read: " + err.Error()}
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxCAFile {
		return nil, &SettingError{Field: "settings.ca_file", Msg: "must be a regular PEM file of at most 1 MiB"}
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, &SettingError{Field: "settings.ca_file", Msg: "cannot read: " + err.Error()}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &SettingError{Field: "settings.ca_file", Msg: "holds no PEM certificate"}
	}
	return pool, nil
}

// verifyPeer checks the certificates a server presented, the way a
// browser would, and names the first problem found. roots nil means the
// system's roots; checkChain false skips chain and hostname checks (the
// validity dates and signature strength are still checked).
func verifyPeer(certs []*x509.Certificate, host string, roots *x509.CertPool, checkChain bool, now time.Time) error {
	if len(certs) == 0 {
		return &certProblem{msg: "server sent no certificate"}
	}
	leaf := certs[0]
	if msg := peerProblem(certs, host, roots, checkChain, now); msg != "" {
		return &certProblem{msg: msg, leaf: leaf}
	}
	return nil
}

func peerProblem(certs []*x509.Certificate, host string, roots *x509.CertPool, checkChain bool, now time.Time) string {
	leaf := certs[0]
	if now.Before(leaf.NotBefore) {
		return fmt.Sprintf("certificate not yet valid (valid from %s)", leaf.NotBefore.UTC().Format(time.DateOnly))
	}
	if now.After(leaf.NotAfter) {
		_, _, msg := CertExpiry{}.Judge(now, leaf.NotAfter)
		return msg
	}
	if weakSignature(leaf.SignatureAlgorithm) {
		return "weak signature: certificate is signed with " + leaf.SignatureAlgorithm.String()
	}
	if !checkChain {
		return ""
	}
	// An empty host is an IP target seen through tls.ConnectionState,
	// which leaves ServerName empty for IPs; the caller checks it.
	if host != "" && leaf.VerifyHostname(host) != nil {
		return hostnameMessage(leaf, host)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now})
	if err != nil {
		return chainMessage(certs, err)
	}
	return ""
}

func weakSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.DSAWithSHA256, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

func hostnameMessage(leaf *x509.Certificate, host string) string {
	names := leaf.DNSNames
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName + " (common name only)"}
	}
	return fmt.Sprintf("hostname mismatch: certificate is for %s, not %s", strings.Join(names, ", "), host)
}

// chainMessage names a chain verification failure.
func chainMessage(certs []*x509.Certificate, err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var insecure x509.InsecureAlgorithmError
	top := certs[len(certs)-1]
	switch {
	case errors.As(err, &unknown) && len(certs) == 1 && selfSigned(top):
		return "self-signed certificate (" + top.Subject.String() + ")"
	case errors.As(err, &unknown) && selfSigned(top):
		return "unknown authority: root " + top.Subject.String() + " is not trusted"
	case errors.As(err, &unknown):
		return "chain incomplete: the server did not send the certificate of " + top.Issuer.String() + " and it is not a trusted root"
	case errors.As(err, &insecure):
		return "weak signature in chain: " + insecure.Error()
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "chain: " + invalid.Cert.Subject.String() + " has expired or is not yet valid"
	case errors.As(err, &invalid):
		return "chain invalid: " + invalid.Error()
	}
	return "certificate not trusted: " + err.Error()
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// tlsVersionName returns "1.2" for tls.VersionTLS12 and so on.
func tlsVersionName(v uint16) string {
	return strings.TrimPrefix(tls.VersionName(v), "TLS ")
}

// tlsVersionValue returns the number reported as the tls_version value:
// 1.0, 1.1, 1.2 or 1.3.
func tlsVersionValue(v uint16) float64 {
	switch v {
	case tls.VersionTLS10:
		return 1.0
	case tls.VersionTLS11:
		return 1.1
	case tls.VersionTLS12:
		return 1.2
	case tls.VersionTLS13:
		return 1.3
	}
	return 0
}

// tlsErrorMessage names a TLS failure met while connecting.
func tlsErrorMessage(err error) (string, bool) {
	var cp *certProblem
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.As(err, &cp):
		return cp.msg, true
	case errors.As(err, &rec):
		return "server did not answer with TLS (is this a plain-text port?)", true
	case errors.As(err, &alert):
		return "tls handshake: server sent alert " + alert.Error(), true
	}
	return "", false
}
