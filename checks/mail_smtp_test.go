package checks

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// TestSMTPCheck runs the smtp check against a real SMTP server
// (github.com/emersion/go-smtp) on loopback.
func TestSMTPCheck(t *testing.T) {
	ca := makeCert(t, certSpec{cn: "Vigil Mail Test CA", isCA: true}, nil)
	good := &tls.Config{Certificates: []tls.Certificate{tlsCert(makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost", "127.0.0.1"}}, ca))}}
	soon := &tls.Config{Certificates: []tls.Certificate{tlsCert(makeCert(t, certSpec{dns: []string{"127.0.0.1"}, notAfter: time.Now().Add(10 * 24 * time.Hour)}, ca))}}
	caFile := writeCAFile(t, ca)
	users := map[string]string{"alice": "secret"}
	login := func(extra string) string {
		return fmt.Sprintf(`{"ca_file":%q,"username":"alice","password":"secret"%s}`, caFile, extra)
	}
	const greeting = "SMTP 220 mx.test ESMTP Service Ready"

	cases := []struct {
		mailCase
		server    testenv.SMTPDOptions
		wantLogin bool // the server saw alice log in
	}{
		{mailCase{"plain greeting", "", `{"tls":"none"}`, StatusOK, greeting, []string{"connect_ms", "banner_ms", "total_ms"}, []string{"tls_ms", "login_ms"}},
			testenv.SMTPDOptions{}, false},
		{mailCase{"starttls", "", fmt.Sprintf(`{"ca_file":%q}`, caFile), StatusOK, greeting + "; STARTTLS TLS 1.3", []string{"tls_ms", "cert_days_left", "tls_version"}, []string{"login_ms"}},
			testenv.SMTPDOptions{TLS: good}, false},
		{mailCase{"starttls auth plain", "", login(""), StatusOK, greeting + "; STARTTLS TLS 1.3; login ok", []string{"tls_ms", "login_ms"}, nil},
			testenv.SMTPDOptions{TLS: good, Users: users}, true},
		{mailCase{"starttls auth login", "", login(""), StatusOK, "login ok", []string{"login_ms"}, nil},
			testenv.SMTPDOptions{TLS: good, Users: users, Mechanisms: []string{"LOGIN"}}, true},
		{mailCase{"implicit tls auth", "", login(`,"tls":"tls"`), StatusOK, greeting + "; TLS 1.3; login ok", []string{"tls_ms", "login_ms"}, nil},
			testenv.SMTPDOptions{TLS: good, ImplicitTLS: true, Users: users}, true},
		{mailCase{"plaintext login allowed", "", `{"tls":"none","username":"alice","password":"secret","allow_plaintext_login":true}`, StatusOK, greeting + "; login ok", nil, nil},
			testenv.SMTPDOptions{Users: users, AllowInsecureAuth: true}, true},
		{mailCase{"server offers AUTH only over TLS", "", `{"tls":"none","username":"alice","password":"secret","allow_plaintext_login":true}`, StatusProblem, "smtp: login: server does not offer AUTH without TLS", nil, nil},
			testenv.SMTPDOptions{TLS: good, Users: users}, false},
		{mailCase{"wrong password", "", fmt.Sprintf(`{"ca_file":%q,"username":"alice","password":"wrong"}`, caFile), StatusProblem, "smtp: login: 535 5.7.8 Authentication credentials invalid", []string{"tls_ms"}, []string{"login_ms"}},
			testenv.SMTPDOptions{TLS: good, Users: users}, false},
		{mailCase{"no mechanism in common", "", login(""), StatusProblem, "server offers AUTH CRAM-MD5, but neither PLAIN nor LOGIN", nil, nil},
			testenv.SMTPDOptions{TLS: good, Users: users, Mechanisms: []string{"CRAM-MD5"}}, false},
		{mailCase{"no STARTTLS offered", "", `{"tls":"starttls"}`, StatusProblem, "smtp: starttls: server does not offer STARTTLS", nil, []string{"tls_ms"}},
			testenv.SMTPDOptions{}, false},
		// The password must not reach a server whose certificate fails.
		{mailCase{"untrusted certificate", "", `{"username":"alice","password":"secret"}`, StatusProblem, "smtp: tls: chain incomplete", []string{"cert_days_left"}, []string{"login_ms"}},
			testenv.SMTPDOptions{TLS: good, Users: users}, false},
		{mailCase{"untrusted certificate, chain not verified", "", `{"tls_verify_chain":false,"username":"alice","password":"secret"}`, StatusOK, "login ok", nil, nil},
			testenv.SMTPDOptions{TLS: good, Users: users}, true},
		{mailCase{"certificate expiring soon", "", login(""), StatusWarning, "login ok: certificate expires in 9 days", []string{"cert_days_left"}, nil},
			testenv.SMTPDOptions{TLS: soon, Users: users}, true},
		{mailCase{"banner matches", "", `{"tls":"none","expect_banner":"^220 mx\\.test ESMTP"}`, StatusOK, greeting, nil, nil},
			testenv.SMTPDOptions{}, false},
		{mailCase{"banner mismatch", "", `{"tls":"none","expect_banner":"Postfix"}`, StatusProblem, `smtp: greeting "220 mx.test ESMTP Service Ready" does not match expect_banner /Postfix/`, nil, nil},
			testenv.SMTPDOptions{}, false},
		{mailCase{"implicit tls expected, plain server", "", `{"tls":"tls"}`, StatusProblem, "smtp: server did not answer with TLS", nil, nil},
			testenv.SMTPDOptions{}, false},
		{mailCase{"custom ehlo name", "", `{"tls":"none","ehlo_name":"probe.example.org"}`, StatusOK, greeting, nil, nil},
			testenv.SMTPDOptions{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testenv.StartSMTPD(t, tc.server)
			tc.addr = srv.Addr
			tc.run(t, "smtp")
			if got := slices.Contains(srv.Logins(), "alice"); got != tc.wantLogin {
				t.Errorf("server saw alice log in: %v, want %v", got, tc.wantLogin)
			}
			wantHello := defaultEHLOName()
			if strings.Contains(tc.settings, "ehlo_name") {
				wantHello = "probe.example.org"
			}
			if hellos := srv.Hellos(); len(hellos) > 0 && hellos[0] != wantHello {
				t.Errorf("EHLO %q, want %q", hellos[0], wantHello)
			}
		})
	}
	t.Run("closed port", func(t *testing.T) {
		addr := closedPort(t)
		mailCase{"closed", addr, `{}`, StatusProblem, "smtp: connect " + addr + ": connection refused", nil, nil}.run(t, "smtp")
	})
}
