package checks

import (
	"encoding/json"
	"math"
	"net"
	"strings"
	"testing"
)

func init() {
	// The three mail types share their settings: one table each, with
	// what differs (ehlo_name is smtp's only).
	for _, kind := range []string{"pop3", "imap"} {
		validationCases[kind] = append(mailValidationCases(), validationCase{"ehlo name elsewhere", "mail.example.com", `{"ehlo_name":"a.example"}`, "settings.ehlo_name"})
	}
	validationCases["smtp"] = append(mailValidationCases(),
		validationCase{"ehlo name", "mail.example.com:587", `{"ehlo_name":"monitor.example.com"}`, ""},
		validationCase{"ehlo address literal", "mail.example.com", `{"ehlo_name":"[IPv6:2001:db8::1]"}`, ""},
		validationCase{"ehlo name with space", "mail.example.com", `{"ehlo_name":"a b"}`, "settings.ehlo_name"},
		validationCase{"ehlo bad literal", "mail.example.com", `{"ehlo_name":"[300.1.1.1]"}`, "settings.ehlo_name"},
	)
}

func mailValidationCases() []validationCase {
	return []validationCase{
		{"defaults", "mail.example.com", `{}`, ""},
		{"with port", "mail.example.com:2525", `{}`, ""},
		{"ipv6", "[2001:db8::25]:25", `{"tls":"none"}`, ""},
		{"everything", "mail.example.com", `{"tls":"tls","expect_banner":"^\\S+ OK","username":"monitor","password":"s3cret","server_name":"mx.example.com","tls_verify_chain":false,"min_tls_version":"1.3","cert_expiry_warning_days":30,"cert_expiry_error_days":7,"response_time_warning_ms":500,"response_time_error_ms":2000}`, ""},
		{"plaintext login allowed", "mail.example.com", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, ""},
		{"bad port", "mail.example.com:0", `{}`, "target"},
		{"empty target", "", `{}`, "target"},
		{"bad tls mode", "mail.example.com", `{"tls":"ssl"}`, "settings.tls"},
		{"tls mode wrong type", "mail.example.com", `{"tls":true}`, "settings.tls"},
		{"plaintext login refused", "mail.example.com", `{"tls":"none","username":"u","password":"p"}`, "settings.tls"},
		{"bad banner regex", "mail.example.com", `{"expect_banner":"(ESMTP"}`, "settings.expect_banner"},
		{"password without user", "mail.example.com", `{"password":"p"}`, "settings.username"},
		{"user without password", "mail.example.com", `{"username":"u"}`, "settings.password"},
		{"user with line break", "mail.example.com", `{"username":"u\r\nQUIT","password":"p"}`, "settings.username"},
		{"password with NUL", "mail.example.com", `{"username":"u","password":"p\u0000x"}`, "settings.password"},
		{"bad server name", "mail.example.com", `{"server_name":"mx:25"}`, "settings.server_name"},
		{"bad min version", "mail.example.com", `{"min_tls_version":"1.0"}`, "settings.min_tls_version"},
		{"cert warning below error", "mail.example.com", `{"cert_expiry_warning_days":2,"cert_expiry_error_days":5}`, "settings.cert_expiry_warning_days"},
		{"negative response time", "mail.example.com", `{"response_time_error_ms":-1}`, "settings.response_time_error_ms"},
		{"missing ca file", "mail.example.com", `{"ca_file":"/nonexistent/ca.pem"}`, "settings.ca_file"},
		{"allow plaintext wrong type", "mail.example.com", `{"allow_plaintext_login":"yes"}`, "settings.allow_plaintext_login"},
		{"unknown setting", "mail.example.com", `{"starttls":true}`, "settings.starttls"},
		{"not an object", "mail.example.com", `"tls"`, "settings"},
	}
}

func TestMailTarget(t *testing.T) {
	tests := []struct {
		kind, target, settings string
		addr, mode             string
	}{
		{"smtp", "mx.example.com", `{}`, "mx.example.com:25", mailTLSStartTLS},
		{"smtp", "mx.example.com", `{"tls":"none"}`, "mx.example.com:25", mailTLSNone},
		{"smtp", "mx.example.com", `{"tls":"tls"}`, "mx.example.com:465", mailTLSImplicit},
		{"smtp", "mx.example.com:465", `{}`, "mx.example.com:465", mailTLSImplicit},
		{"smtp", "mx.example.com:587", `{}`, "mx.example.com:587", mailTLSStartTLS},
		{"smtp", "mx.example.com:465", `{"tls":"starttls"}`, "mx.example.com:465", mailTLSStartTLS},
		{"pop3", "mail.example.com", `{}`, "mail.example.com:110", mailTLSStartTLS},
		{"pop3", "mail.example.com", `{"tls":"tls"}`, "mail.example.com:995", mailTLSImplicit},
		{"pop3", "mail.example.com:995", `{}`, "mail.example.com:995", mailTLSImplicit},
		{"imap", "[2001:db8::1]", `{"tls":"tls"}`, "[2001:db8::1]:993", mailTLSImplicit},
		{"imap", "mail.example.com:993", `{}`, "mail.example.com:993", mailTLSImplicit},
		{"imap", "mail.example.com:143", `{}`, "mail.example.com:143", mailTLSStartTLS},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.target+" "+tt.settings, func(t *testing.T) {
			c := mustNew(t, tt.kind, tt.target, tt.settings).(*mailChecker)
			host, port, err := c.resolveTarget(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := net.JoinHostPort(host, port); got != tt.addr {
				t.Errorf("address %s, want %s", got, tt.addr)
			}
			if got := c.modeFor(port); got != tt.mode {
				t.Errorf("mode %s, want %s", got, tt.mode)
			}
		})
	}
}

func TestMailPasswordIsSecret(t *testing.T) {
	for _, kind := range []string{"smtp", "pop3", "imap"} {
		typ, ok := Lookup(kind)
		if !ok {
			t.Fatalf("%s not registered", kind)
		}
		if got := typ.SecretNames(); len(got) != 1 || got[0] != "password" {
			t.Errorf("%s: secret settings %v, want [password]", kind, got)
		}
		if typ.Scope != ScopeExternal {
			t.Errorf("%s: scope %s", kind, typ.Scope)
		}
	}
}

func TestIMAPQuote(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"alice", `"alice"`, true},
		{"", `""`, true},
		{`q"u\o te`, `"q\"u\\o te"`, true},
		{"pässwörd", "", false},
		{"a\rb", "", false},
		{"a\x00b", "", false},
	}
	for _, tt := range tests {
		got, ok := imapQuote(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("imapQuote(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIMAPParse(t *testing.T) {
	tag, status, text, ok := imapTagged("a2 NO [AUTHENTICATIONFAILED] Authentication failed.")
	if !ok || tag != "a2" || status != "NO" || text != "[AUTHENTICATIONFAILED] Authentication failed." {
		t.Errorf("imapTagged: %q %q %q %v", tag, status, text, ok)
	}
	for _, line := range []string{"* OK hi", "+ go ahead", "a2", "a2 MAYBE", ""} {
		if _, _, _, ok := imapTagged(line); ok {
			t.Errorf("imapTagged(%q) ok", line)
		}
	}
	kind, text, ok := imapUntagged("* ok [CAPABILITY IMAP4rev1] ready")
	if !ok || kind != "OK" || imapStripCode(text) != "ready" {
		t.Errorf("imapUntagged: %q %q %v", kind, text, ok)
	}
	sizes := map[string]int64{"* 1 FETCH (BODY[] {42}": 42, "x {0}": 0, "x {7+}": 7, "x {99999999999999999999}": math.MaxInt64}
	for line, want := range sizes {
		if n, ok := imapLiteralSize(line); !ok || n != want {
			t.Errorf("imapLiteralSize(%q) = %d, %v", line, n, ok)
		}
	}
	for _, line := range []string{"x {}", "x {-1}", "x {a}", "x }", "{5} x"} {
		if _, ok := imapLiteralSize(line); ok {
			t.Errorf("imapLiteralSize(%q) ok", line)
		}
	}
}

func TestPOP3Status(t *testing.T) {
	tests := []struct {
		line        string
		ok, isReply bool
	}{
		{"+OK Dovecot ready.", true, true},
		{"+OK", true, true},
		{"-ERR [AUTH] Authentication failed.", false, true},
		{"+OKAY", false, false},
		{"* OK IMAP", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if ok, isReply := pop3Status(tt.line); ok != tt.ok || isReply != tt.isReply {
			t.Errorf("pop3Status(%q) = %v, %v", tt.line, ok, isReply)
		}
	}
}

func TestSMTPGreetingAndMechanism(t *testing.T) {
	full, shown := smtpGreeting([]byte("220-mx.test ESMTP\r\n220 second line\r\n250 not part of it\r\n"))
	if full != "220-mx.test ESMTP\n220 second line" || shown != "220-mx.test ESMTP …" {
		t.Errorf("smtpGreeting: %q %q", full, shown)
	}
	if _, shown := smtpGreeting([]byte("220 a\x1b[31mred\r\n")); shown != "220 a [31mred" {
		t.Errorf("control characters kept: %q", shown)
	}
	mechs := map[string]string{"PLAIN LOGIN": "PLAIN", "login cram-md5": "LOGIN", "CRAM-MD5 XOAUTH2": "", "": ""}
	for params, want := range mechs {
		if got := smtpPickMechanism(params); got != want {
			t.Errorf("smtpPickMechanism(%q) = %q, want %q", params, got, want)
		}
	}
	if n := defaultEHLOName(); !validEHLOName(n) {
		t.Errorf("default EHLO name %q is not valid", n)
	}
}

func TestShowServerText(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	got := showServerText(long)
	if !strings.HasSuffix(got, "…") || len(got) > 125 || !json.Valid([]byte(`"`+got+`"`)) {
		t.Errorf("showServerText cut %q", got)
	}
}
