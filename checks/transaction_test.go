package checks

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runTx(t *testing.T, target, settings string, timeout time.Duration) Result {
	t.Helper()
	c := mustNew(t, "transaction", target, settings)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Check(ctx, target)
}

func TestTransactionLogin(t *testing.T) {
	app := newLoginApp()
	srv := httptest.NewServer(app.handler())
	defer srv.Close()
	defer close(app.release)
	withoutCSRF := strings.Replace(loginSteps, `,"csrf":"{{csrf}}"`, "", 1)
	cases := []struct {
		name     string
		settings string
		want     Status
		inMsg    string
		steps    int // step_N_ms values expected
	}{
		{"whole transaction", txSettings(loginSteps), StatusOK, "5 steps ok in ", 5},
		{"wrong password", strings.Replace(txSettings(loginSteps), appPassword, "guess", 1), StatusProblem, "step 2 'submit login': status 401, want 303", 2},
		{"csrf not extracted", txSettings(strings.Replace(loginSteps, `name=\"csrf\"`, `name=\"token\"`, 1)), StatusProblem, "step 1 'login page': extract csrf: regex matched nothing", 1},
		{"csrf not sent", txSettings(withoutCSRF), StatusProblem, "step 2 'submit login': status 403, want 303", 2},
		{"body lacks text", txSettings(`[{"name":"home","url":"/login","expect":{"contains":"Welcome"}}]`), StatusProblem, `step 1 'home': body does not contain "Welcome"`, 1},
		{"body holds unwanted text", txSettings(`[{"url":"/login","expect":{"not_contains":"password"}}]`), StatusProblem, `step 1 (GET /login): body contains "password"`, 1},
		{"body does not match", txSettings(`[{"url":"/login","expect":{"regex":"^Welcome"}}]`), StatusProblem, `body does not match /^Welcome/`, 1},
		{"not logged in", txSettings(`[{"name":"dashboard","url":"/dashboard","expect":{"contains":"Welcome"}}]`), StatusProblem, `step 1 'dashboard': body does not contain "Welcome"`, 1},
		{"json path not found", txSettings(`[{"name":"api","url":"/api/me","expect":{"status":"401"},"extract":[{"name":"u","from":"json","path":"data.user"}]}]`), StatusProblem, "step 1 'api': extract u: data.user not found in the JSON body", 1},
		{"missing header", txSettings(`[{"name":"p","url":"/login","extract":[{"name":"loc","from":"header","header":"Location"}]}]`), StatusProblem, "step 1 'p': extract loc: no Location header in the answer", 1},
		{"json from html", txSettings(`[{"name":"p","url":"/login","extract":[{"name":"v","from":"json","path":"data"}]}]`), StatusProblem, "step 1 'p': extract v: the body is not JSON", 1},
		{"slow step warns", txSettings(`[{"name":"slow page","url":"/slow","expect":{"max_ms":50}},{"name":"after","url":"/login"}]`), StatusWarning, "2 steps ok in ", 2},
		{"whole run too slow", txSettings(`[{"url":"/slow"}]`, `"response_time_error_ms":50`), StatusProblem, "1 step ok in ", 1},
		{"plain http has no certificate", txSettings(`[{"url":"/login"}]`, `"tls_verify":false`), StatusOK, "1 step ok", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runTx(t, srv.URL, tc.settings, 10*time.Second)
			t.Logf("%s %q %v", r.Status, r.Message, r.Values)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			for n := 1; n <= tc.steps; n++ {
				if _, ok := r.Values[stepKey(n)]; !ok {
					t.Errorf("value %s missing: %v", stepKey(n), r.Values)
				}
			}
			if _, ok := r.Values[stepKey(tc.steps+1)]; ok {
				t.Errorf("value %s for a step that did not run: %v", stepKey(tc.steps+1), r.Values)
			}
			if r.Values["total_ms"] <= 0 || r.LatencyMS <= 0 {
				t.Errorf("total_ms %v, latency %v", r.Values["total_ms"], r.LatencyMS)
			}
			if _, ok := r.Values["cert_days_left"]; ok {
				t.Errorf("cert_days_left on plain http: %v", r.Values)
			}
		})
	}
}

func TestTransactionMessages(t *testing.T) {
	app := newLoginApp()
	srv := httptest.NewServer(app.handler())
	defer srv.Close()
	defer close(app.release)
	t.Run("slow step names the step and keeps going", func(t *testing.T) {
		r := runTx(t, srv.URL, txSettings(`[{"name":"slow page","url":"/slow","expect":{"max_ms":50}},{"name":"after","url":"/login"}]`), 10*time.Second)
		if !strings.Contains(r.Message, ": step 1 'slow page': slow: ") || !strings.Contains(r.Message, "> 50 ms") || r.Values["steps_ok"] != 2 {
			t.Fatalf("got %s %q %v", r.Status, r.Message, r.Values)
		}
	})
	t.Run("steps ok counts the steps before the failure", func(t *testing.T) {
		r := runTx(t, srv.URL, strings.Replace(txSettings(loginSteps), appPassword, "guess", 1), 10*time.Second)
		if r.Values["steps_ok"] != 1 {
			t.Fatalf("steps_ok %v, want 1", r.Values["steps_ok"])
		}
	})
	t.Run("deadline", func(t *testing.T) {
		start := time.Now()
		r := runTx(t, srv.URL, txSettings(`[{"url":"/login"},{"name":"stuck","url":"/hang"}]`), 300*time.Millisecond)
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("took %v with a 300ms deadline", took)
		}
		if r.Status != StatusProblem || !strings.HasPrefix(r.Message, "step 2 'stuck': timed out after") {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		target := "http://" + closedPort(t)
		r := runTx(t, target, txSettings(`[{"name":"home","url":"/"}]`), 5*time.Second)
		if r.Status != StatusProblem || r.Message != "step 1 'home': connection refused" {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
	t.Run("endless body is read only up to the limit", func(t *testing.T) {
		r := runTx(t, srv.URL, txSettings(`[{"name":"big","url":"/endless","expect":{"contains":"NEEDLE"}}]`), 20*time.Second)
		if r.Status != StatusProblem || !strings.Contains(r.Message, `step 1 'big': body does not contain "NEEDLE" (in its first 1 MiB`) {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
	t.Run("messages never show the password", func(t *testing.T) {
		r := runTx(t, srv.URL, txSettings(`[{"url":"/login","expect":{"contains":"{{username}}:{{password}}"}}]`), 5*time.Second)
		if r.Message != `step 1 (GET /login): body does not contain "alice:{{password}}"` {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
		// The app's password holds spaces, which a URL cannot.
		r = runTx(t, srv.URL, txSettings(`[{"url":"/login?p={{password}}"}]`), 5*time.Second)
		if r.Message != `step 1 (GET /login?p={{password}}): url "/login?p={{password}}" holds a space or control character (variables are put in as they are)` {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
	t.Run("a variable that breaks a header", func(t *testing.T) {
		r := runTx(t, srv.URL, `{"username":"a","steps":[{"url":"/login","headers":{"X-User":"{{password}}"}}],"password":"x\ny"}`, 5*time.Second)
		if r.Status != StatusProblem || r.Message != "step 1 (GET /login): header X-User: a variable's value holds a line break" {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
}

// TestTransactionCookieJarPerRun: a run starts without the cookies of the
// one before; the first step sees the app's "not logged in" redirect
// every time, and the login still works within each run.
func TestTransactionCookieJarPerRun(t *testing.T) {
	app := newLoginApp()
	srv := httptest.NewServer(app.handler())
	defer srv.Close()
	defer close(app.release)
	steps := `[{"name":"logged out","url":"/dashboard","follow_redirects":false,"expect":{"status":"303"}},` + loginSteps[1:]
	c := mustNew(t, "transaction", srv.URL, txSettings(steps))
	for run := 1; run <= 3; run++ {
		r := c.Check(context.Background(), srv.URL)
		if r.Status != StatusOK || !strings.HasPrefix(r.Message, "6 steps ok") {
			t.Fatalf("run %d: %s %q", run, r.Status, r.Message)
		}
	}
}

func TestTransactionHTTPS(t *testing.T) {
	app := newLoginApp()
	srv := httptest.NewUnstartedServer(app.handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	defer close(app.release)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		settings string
		want     Status
		inMsg    string
	}{
		{"untrusted", txSettings(loginSteps), StatusProblem, "step 1 'login page': self-signed certificate"},
		{"verify off", txSettings(loginSteps, `"tls_verify":false`), StatusOK, "5 steps ok"},
		{"trusted via ca_file", txSettings(loginSteps, fmt.Sprintf(`"ca_file":%q`, caFile)), StatusOK, "5 steps ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runTx(t, srv.URL, tc.settings, 10*time.Second)
			t.Logf("%s %q %v", r.Status, r.Message, r.Values)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if left := r.Values["cert_days_left"]; left < 365 {
				t.Errorf("cert_days_left %v, want the test certificate's many years", left)
			}
		})
	}
	t.Run("the password is not sent to an untrusted server", func(t *testing.T) {
		// The login page is on the trusted plain-http app; the form posts
		// to the untrusted https one.
		plain := httptest.NewServer(app.handler())
		defer plain.Close()
		steps := strings.Replace(loginSteps, `"url":"/login","follow`, `"url":"`+srv.URL+`/login","follow`, 1)
		r := runTx(t, plain.URL, txSettings(steps), 10*time.Second)
		if r.Status != StatusProblem || !strings.HasPrefix(r.Message, "step 2 'submit login': self-signed certificate") {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
}

func TestTransactionCertificateExpiry(t *testing.T) {
	ca := makeCert(t, certSpec{cn: "Vigil Test Root", isCA: true}, nil)
	near := makeCert(t, certSpec{dns: []string{"127.0.0.1"}, notAfter: time.Now().Add(10*24*time.Hour + time.Hour)}, ca)
	srv := httptest.NewUnstartedServer(newLoginApp().handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{tlsCert(near)}}
	srv.StartTLS()
	defer srv.Close()
	r := runTx(t, srv.URL, txSettings(`[{"url":"/login"}]`, fmt.Sprintf(`"ca_file":%q`, writeCAFile(t, ca))), 10*time.Second)
	if r.Status != StatusWarning || !strings.Contains(r.Message, "1 step ok in ") || !strings.Contains(r.Message, "certificate expires in 10 days") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	if left := r.Values["cert_days_left"]; left < 10 || left > 11 {
		t.Fatalf("cert_days_left %v", left)
	}
}
