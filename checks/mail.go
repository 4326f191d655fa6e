package checks

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
)

// TLS modes of the mail checks.
const (
	mailTLSNone     = "none"     // plain text throughout
	mailTLSStartTLS = "starttls" // plain greeting, then STARTTLS (STLS in POP3) is required
	mailTLSImplicit = "tls"      // TLS from the first byte (ports 465, 993, 995)
)

var mailTLSModes = []string{mailTLSNone, mailTLSStartTLS, mailTLSImplicit}

// mailProtocol is what differs between the smtp, pop3 and imap types.
type mailProtocol struct {
	name      string // "smtp", also the first word of failure messages
	title     string // "SMTP"
	plainPort string // the default port for none and starttls
	tlsPort   string // the default port for implicit TLS
	// session speaks the protocol over r's connection: greeting,
	// STARTTLS when r.mode asks for it, login when configured, and quit.
	session func(r *mailRun) error
}

func init() {
	registerMail(smtpProtocol, []Setting{
		{Name: "ehlo_name", Kind: "string", Help: "Name sent with EHLO; defaults to this machine's fully qualified host name, else vigil.localhost."},
	})
	registerMail(pop3Protocol, nil)
	registerMail(imapProtocol, nil)
}

// registerMail registers one mail type with the settings all three share
// plus extra.
func registerMail(p *mailProtocol, extra []Setting) {
	Register(Type{
		Name:  p.name,
		Title: p.title,
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "tls", Kind: "enum", Options: mailTLSModes, OptionTitles: []string{"none (plain text)", "STARTTLS", "TLS from the start"},
				Help: "How the connection is secured; empty means tls on port " + p.tlsPort + ", starttls on any other port."},
			{Name: "expect_banner", Kind: "string", Help: "Go regular expression the server's greeting must match; a plain word matches anywhere in it."},
			{Name: "username", Kind: "string", Help: "Log in as this user after the greeting (and after TLS); empty checks the greeting only."},
			{Name: "password", Kind: "string", Secret: true, Help: "Password for username."},
			{Name: "allow_plaintext_login", Kind: "bool", Default: "false", Help: "Allow sending the password without TLS (tls none); off refuses it."},
		},
			extra,
			[]Setting{
				{Name: "server_name", Kind: "string", Help: "Name sent as SNI and checked against the certificate; defaults to the target's host."},
				{Name: "tls_verify_chain", Kind: "bool", Default: "true", Help: "Verify the certificate's chain and host name; when off only its dates and signature strength are checked."},
				caFileSetting,
				{Name: "min_tls_version", Kind: "enum", Options: []string{"1.2", "1.3"}, Help: "Problem when the server negotiates an older TLS version; empty accepts any."},
			},
			certExpirySettings,
			responseTimeSettings("the whole session takes"),
		),
		TargetHelp: "host:port, e.g. mail.example.com:" + p.plainPort + " (port " + p.plainPort +
			", or " + p.tlsPort + " with tls, when left out)",
		ValidateTarget: func(target string) error { return validateHostPort(target, true) },
		New:            func(raw json.RawMessage) (Checker, error) { return newMailChecker(p, raw) },
	})
}

// mailSettings are the settings of the mail types; EHLOName is smtp's only.
type mailSettings struct {
	TLS                   string `json:"tls"`
	ExpectBanner          string `json:"expect_banner"`
	Username              string `json:"username"`
	Password              string `json:"password"`
	AllowPlaintextLogin   bool   `json:"allow_plaintext_login"`
	ServerName            string `json:"server_name"`
	TLSVerifyChain        bool   `json:"tls_verify_chain"`
	CAFile                string `json:"ca_file"`
	MinTLSVersion         string `json:"min_tls_version"`
	CertExpiryWarningDays int    `json:"cert_expiry_warning_days"`
	CertExpiryErrorDays   int    `json:"cert_expiry_error_days"`
	ResponseTimeWarningMS int    `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int    `json:"response_time_error_ms"`
}

type smtpSettings struct {
	mailSettings
	EHLOName string `json:"ehlo_name"`
}

// mailChecker runs one of the mail types.
type mailChecker struct {
	proto  *mailProtocol
	s      mailSettings
	ehlo   string
	banner *regexp.Regexp
	roots  *x509.CertPool
	minVer uint16
	cert   CertExpiry
	rt     ResponseTime
}

var _ Checker = (*mailChecker)(nil)

func newMailChecker(p *mailProtocol, raw json.RawMessage) (Checker, error) {
	s := smtpSettings{mailSettings: mailSettings{TLSVerifyChain: true,
		CertExpiryWarningDays: DefaultCertWarningDays, CertExpiryErrorDays: DefaultCertErrorDays}}
	var err error
	if p == smtpProtocol {
		err = decodeSettings(raw, &s)
	} else {
		err = decodeSettings(raw, &s.mailSettings)
	}
	if err != nil {
		return nil, unembedField(err)
	}
	c := &mailChecker{
		proto: p, s: s.mailSettings, ehlo: s.EHLOName,
		cert: CertExpiry{WarningDays: s.CertExpiryWarningDays, ErrorDays: s.CertExpiryErrorDays},
		rt:   ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS},
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.ehlo == "" && p == smtpProtocol {
		c.ehlo = defaultEHLOName()
	}
	if c.roots, err = loadCAFile(s.CAFile); err != nil {
		return nil, err
	}
	return c, nil
}

// unembedField drops the embedded struct's name that encoding/json puts
// in the path of a type error in smtpSettings ("mailSettings.tls").
func unembedField(err error) error {
	var se *SettingError
	if errors.As(err, &se) {
		if rest, ok := strings.CutPrefix(se.Field, "settings.mailSettings."); ok {
			return &SettingError{Field: "settings." + rest, Msg: se.Msg}
		}
	}
	return err
}

func (c *mailChecker) validate() error {
	s := &c.s
	if s.TLS != "" && s.TLS != mailTLSNone && s.TLS != mailTLSStartTLS && s.TLS != mailTLSImplicit {
		return &SettingError{Field: "settings.tls", Msg: `must be "none", "starttls" or "tls"`}
	}
	if s.ExpectBanner != "" {
		re, err := regexp.Compile(s.ExpectBanner)
		if err != nil {
			return &SettingError{Field: "settings.expect_banner", Msg: "not a valid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
		}
		c.banner = re
	}
	if err := validateMailLogin(s); err != nil {
		return err
	}
	if c.ehlo != "" && !validEHLOName(c.ehlo) {
		return &SettingError{Field: "settings.ehlo_name", Msg: `must be a domain name such as "monitor.example.com" or an address literal such as "[192.0.2.1]"`}
	}
	if s.ServerName != "" && strings.ContainsAny(s.ServerName, " :/\r\n") {
		return &SettingError{Field: "settings.server_name", Msg: "must be a host name without port"}
	}
	if s.MinTLSVersion != "" {
		v, ok := tlsVersions[s.MinTLSVersion]
		if !ok {
			return &SettingError{Field: "settings.min_tls_version", Msg: `must be "1.2" or "1.3"`}
		}
		c.minVer = v
	}
	if err := c.cert.Validate(); err != nil {
		return err
	}
	return c.rt.Validate()
}

// validateMailLogin checks the login settings: both or neither of
// username and password, nothing that would end a protocol line early,
// and no password in clear text unless allowed.
func validateMailLogin(s *mailSettings) error {
	switch {
	case strings.ContainsAny(s.Username, "\r\n\x00"):
		return &SettingError{Field: "settings.username", Msg: "must not contain line breaks or NUL characters"}
	case strings.ContainsAny(s.Password, "\r\n\x00"):
		return &SettingError{Field: "settings.password", Msg: "must not contain line breaks or NUL characters"}
	case s.Username == "" && s.Password != "":
		return &SettingError{Field: "settings.username", Msg: "is required when a password is set"}
	case s.Username != "" && s.Password == "":
		return &SettingError{Field: "settings.password", Msg: "is required when a username is set"}
	case s.Username != "" && s.TLS == mailTLSNone && !s.AllowPlaintextLogin:
		return &SettingError{Field: "settings.tls", Msg: `"none" would send the password in clear text: use "starttls" or "tls", or set allow_plaintext_login`}
	}
	return nil
}
