package checks

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// dovecotUsers have passwords that need IMAP quoting (dave) and an IMAP
// literal (erin, 8-bit).
var dovecotUsers = map[string]string{"alice": "secret", "dave": `q"u\o te`, "erin": "pässwörd"}

// TestMailDovecot runs the pop3 and imap checks against Debian's dovecot
// on loopback: plain text, STARTTLS and implicit TLS, logins, and each
// way they fail.
func TestMailDovecot(t *testing.T) {
	ca := makeCert(t, certSpec{cn: "Vigil Mail Test CA", isCA: true}, nil)
	leaf := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost", "127.0.0.1"}}, ca)
	certPEM, keyPEM := mailPEMPair(t, leaf)
	d := testenv.StartDovecot(t, testenv.DovecotOptions{CertPEM: certPEM, KeyPEM: keyPEM, Users: dovecotUsers})
	caFile := writeCAFile(t, ca)

	servers := map[string]struct{ plain, implicit, greeting, loginFailed string }{
		"pop3": {d.POP3, d.POP3S, "POP3 +OK Dovecot (Debian) ready.", "pop3: login: -ERR [AUTH] Authentication failed."},
		"imap": {d.IMAP, d.IMAPS, "IMAP OK Dovecot (Debian) ready.", "imap: login: NO [AUTHENTICATIONFAILED] Authentication failed."},
	}
	for _, proto := range []string{"pop3", "imap"} {
		srv := servers[proto]
		cases := []mailCase{
			{"plain greeting", srv.plain, `{"tls":"none"}`, StatusOK, srv.greeting, []string{"connect_ms", "banner_ms", "total_ms"}, []string{"tls_ms", "login_ms", "cert_days_left"}},
			{"plain login allowed", srv.plain, `{"tls":"none","username":"alice","password":"secret","allow_plaintext_login":true}`, StatusOK, srv.greeting + "; login ok", []string{"login_ms"}, []string{"tls_ms"}},
			{"starttls login", srv.plain, fmt.Sprintf(`{"ca_file":%q,"username":"alice","password":"secret"}`, caFile), StatusOK, srv.greeting + "; STARTTLS TLS 1.3; login ok", []string{"tls_ms", "login_ms", "cert_days_left", "tls_version"}, nil},
			{"implicit tls login", srv.implicit, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"username":"alice","password":"secret"}`, caFile), StatusOK, srv.greeting + "; TLS 1.3; login ok", []string{"tls_ms", "login_ms", "cert_days_left"}, nil},
			{"password needing quotes", srv.plain, fmt.Sprintf(`{"ca_file":%q,"username":"dave","password":%q}`, caFile, dovecotUsers["dave"]), StatusOK, "login ok", nil, nil},
			{"8-bit password", srv.implicit, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"username":"erin","password":%q}`, caFile, dovecotUsers["erin"]), StatusOK, "login ok", nil, nil},
			{"wrong password", srv.plain, fmt.Sprintf(`{"ca_file":%q,"username":"alice","password":"wrong"}`, caFile), StatusProblem, srv.loginFailed, []string{"tls_ms", "cert_days_left"}, []string{"login_ms"}},
			{"unknown user", srv.implicit, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"username":"mallory","password":"secret"}`, caFile), StatusProblem, srv.loginFailed, nil, nil},
			{"untrusted certificate", srv.plain, `{"username":"alice","password":"secret"}`, StatusProblem, proto + ": tls: chain incomplete", []string{"cert_days_left"}, []string{"login_ms"}},
			{"untrusted certificate, chain not verified", srv.implicit, `{"tls":"tls","tls_verify_chain":false,"username":"alice","password":"secret"}`, StatusOK, "login ok", nil, nil},
			{"hostname mismatch", srv.implicit, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"server_name":"mail.example.com"}`, caFile), StatusProblem, "tls: hostname mismatch: certificate is for localhost, 127.0.0.1", nil, nil},
			{"banner matches", srv.plain, `{"tls":"none","expect_banner":"Dovecot.*ready"}`, StatusOK, srv.greeting, nil, nil},
			{"banner mismatch", srv.plain, `{"tls":"none","expect_banner":"Postfix"}`, StatusProblem, "does not match expect_banner /Postfix/", []string{"banner_ms"}, nil},
			{"tls on the plain port", srv.plain, `{"tls":"tls"}`, StatusProblem, "server did not answer with TLS", nil, nil},
			{"closed port", closedPort(t), `{"tls":"none"}`, StatusProblem, proto + ": connect 127.0.0.1:", nil, nil},
		}
		for _, tc := range cases {
			t.Run(proto+"/"+tc.name, func(t *testing.T) { tc.run(t, proto) })
		}
	}

	t.Run("certificate expiring soon", func(t *testing.T) {
		soon := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost", "127.0.0.1"}, notAfter: time.Now().Add(10 * 24 * time.Hour)}, ca)
		certPEM, keyPEM := mailPEMPair(t, soon)
		d := testenv.StartDovecot(t, testenv.DovecotOptions{CertPEM: certPEM, KeyPEM: keyPEM})
		for proto, addr := range map[string]string{"pop3": d.POP3S, "imap": d.IMAPS} {
			mailCase{"warning", addr, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"username":"alice","password":"secret"}`, caFile), StatusWarning, "login ok: certificate expires in 9 days", []string{"cert_days_left"}, nil}.run(t, proto)
			mailCase{"problem at the error threshold", addr, fmt.Sprintf(`{"tls":"tls","ca_file":%q,"cert_expiry_warning_days":30,"cert_expiry_error_days":20}`, caFile), StatusProblem, "certificate expires in 9 days", nil, nil}.run(t, proto)
		}
	})
}

// mailCase is one run of a mail check and what it must report.
type mailCase struct {
	name     string
	addr     string
	settings string
	want     Status
	inMsg    string
	values   []string // values the result must have
	noValues []string // values it must not have
}

func (tc mailCase) run(t *testing.T, proto string) {
	t.Helper()
	c := mustNew(t, proto, tc.addr, tc.settings)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Check(ctx, tc.addr)
	t.Logf("%s: %s %q %v", tc.name, r.Status, r.Message, r.Values)
	if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
		t.Fatalf("%s: got %s %q, want %s containing %q", tc.name, r.Status, r.Message, tc.want, tc.inMsg)
	}
	for _, v := range tc.values {
		if _, ok := r.Values[v]; !ok {
			t.Errorf("%s: no value %s in %v", tc.name, v, r.Values)
		}
	}
	for _, v := range tc.noValues {
		if _, ok := r.Values[v]; ok {
			t.Errorf("%s: value %s should be absent: %v", tc.name, v, r.Values)
		}
	}
	if days, ok := r.Values["cert_days_left"]; ok && (days < 8 || days > 91) {
		t.Errorf("%s: cert_days_left %v", tc.name, days)
	}
	if r.Status == StatusOK && r.Values["total_ms"] <= 0 {
		t.Errorf("%s: total_ms %v", tc.name, r.Values["total_ms"])
	}
}

// mailPEMPair returns a test certificate and its key as PEM, as a server's
// configuration files hold them.
func mailPEMPair(t *testing.T, c *testCert) (certPEM, keyPEM []byte) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
