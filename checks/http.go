package checks

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// httpBodyLimit is how much of a response body is read for matching.
const httpBodyLimit = 1 << 20

var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func init() {
	Register(Type{
		Name:  "http",
		Title: "HTTP(S)",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "method", Kind: "enum", Default: "GET", Options: httpMethods, Help: "HTTP method of the request."},
			{Name: "headers", Kind: "map", Help: "Extra request headers, name to value; a Host header sets the virtual host."},
			{Name: "body", Kind: "text", Help: "Request body, sent as is."},
			{Name: "expect_status", Kind: "string", Default: "200-299", Help: `Status codes that count as up, e.g. "200-299" or "200,301-302".`},
			{Name: "expect_contains", Kind: "string", Help: "Text the response body (first 1 MiB) must contain."},
			{Name: "expect_regex", Kind: "string", Help: "Go regular expression the response body (first 1 MiB) must match."},
			{Name: "follow_redirects", Kind: "bool", Default: "true", Help: "Follow redirects; when off, a 3xx answer is judged by expect_status."},
			{Name: "max_redirects", Kind: "int", Default: "10", Help: "How many redirects to follow before giving up."},
			{Name: "tls_verify", Kind: "bool", Default: "true", Help: "Verify the server's certificate chain and host name."},
			caFileSetting,
			{Name: "user_agent", Kind: "string", Default: "Vigil/1", Help: "User-Agent header of the request."},
		},
			certExpirySettings,
			responseTimeSettings("the response takes"),
		),
		TargetHelp:     "URL, e.g. https://example.com/health",
		ValidateTarget: validateHTTPTarget,
		New:            newHTTPChecker,
	})
}

type httpSettings struct {
	Method                string            `json:"method"`
	Headers               map[string]string `json:"headers"`
	Body                  string            `json:"body"`
	ExpectStatus          string            `json:"expect_status"`
	ExpectContains        string            `json:"expect_contains"`
	ExpectRegex           string            `json:"expect_regex"`
	FollowRedirects       bool              `json:"follow_redirects"`
	MaxRedirects          int               `json:"max_redirects"`
	TLSVerify             bool              `json:"tls_verify"`
	CAFile                string            `json:"ca_file"`
	UserAgent             string            `json:"user_agent"`
	ResponseTimeWarningMS int               `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int               `json:"response_time_error_ms"`
	CertExpiryWarningDays int               `json:"cert_expiry_warning_days"`
	CertExpiryErrorDays   int               `json:"cert_expiry_error_days"`
}

type httpChecker struct {
	s         httpSettings
	status    StatusRanges
	re        *regexp.Regexp
	rt        ResponseTime
	cert      CertExpiry
	transport *http.Transport
	client    *http.Client
	now       func() time.Time
}

var _ Checker = (*httpChecker)(nil)

func validateHTTPTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must be an absolute http:// or https:// URL")
	}
	if u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	return nil
}

func newHTTPChecker(raw json.RawMessage) (Checker, error) {
	s := httpSettings{
		Method: "GET", ExpectStatus: "200-299", FollowRedirects: true, MaxRedirects: 10,
		TLSVerify: true, UserAgent: "Vigil/1",
		CertExpiryWarningDays: DefaultCertWarningDays, CertExpiryErrorDays: DefaultCertErrorDays,
	}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &httpChecker{
		s:    s,
		rt:   ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS},
		cert: CertExpiry{WarningDays: s.CertExpiryWarningDays, ErrorDays: s.CertExpiryErrorDays},
		now:  time.Now,
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	roots, err := loadCAFile(s.CAFile)
	if err != nil {
		return nil, err
	}
	c.transport = c.newTransport(roots)
	c.client = &http.Client{Transport: c.transport, CheckRedirect: c.checkRedirect}
	return c, nil
}

func (c *httpChecker) validate() error {
	s := &c.s
	s.Method = strings.ToUpper(s.Method)
	if !slices.Contains(httpMethods, s.Method) {
		return &SettingError{Field: "settings.method", Msg: "must be one of " + strings.Join(httpMethods, ", ")}
	}
	for name, v := range s.Headers {
		if name == "" || strings.ContainsAny(name, " :\r\n") || strings.ContainsAny(v, "\r\n") {
			return &SettingError{Field: "settings.headers", Msg: fmt.Sprintf("header %q is not a valid header", name)}
		}
	}
	var err error
	if c.status, err = ParseStatusRanges(s.ExpectStatus); err != nil {
		return &SettingError{Field: "settings.expect_status", Msg: err.Error()}
	}
	if s.ExpectRegex != "" {
		if c.re, err = regexp.Compile(s.ExpectRegex); err != nil {
			return &SettingError{Field: "settings.expect_regex", Msg: "not a valid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
		}
	}
	if s.MaxRedirects < 0 || s.MaxRedirects > 100 {
		return &SettingError{Field: "settings.max_redirects", Msg: "must be between 0 and 100"}
	}
	if strings.ContainsAny(s.UserAgent, "\r\n") {
		return &SettingError{Field: "settings.user_agent", Msg: "must be one line"}
	}
	if err := c.rt.Validate(); err != nil {
		return err
	}
	return c.cert.Validate()
}

// newTransport builds the checker's own transport: nothing is shared with
// other checkers and keep-alives are off, so every run pays (and measures)
// its own DNS lookup, connect and handshake.
func (c *httpChecker) newTransport(roots *x509.CertPool) *http.Transport {
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     false,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      true,
		TLSClientConfig: &tls.Config{
			// Verification is done in VerifyConnection so that a failure
			// names its cause ("certificate expired 2 days ago").
			InsecureSkipVerify: true, //nolint:gosec // verified below
		},
	}
	t.TLSClientConfig.VerifyConnection = func(cs tls.ConnectionState) error {
		if !c.s.TLSVerify {
			return nil
		}
		return verifyPeer(cs.PeerCertificates, cs.ServerName, roots, true, c.now())
	}
	return t
}

func (c *httpChecker) checkRedirect(req *http.Request, via []*http.Request) error {
	if !c.s.FollowRedirects {
		return http.ErrUseLastResponse
	}
	if len(via) > c.s.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", c.s.MaxRedirects)
	}
	return nil
}
