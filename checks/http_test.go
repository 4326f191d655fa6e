package checks

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testMux is the server the HTTP behaviour tests probe.
func testMux(release <-chan struct{}) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "all systems go, build 1234") })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "method=%s ua=%s x=%s host=%s body=%s", r.Method, r.UserAgent(), r.Header.Get("X-Probe"), r.Host, body)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		// A real delay, not synchronisation: the latency under test.
		time.Sleep(40 * time.Millisecond)
		fmt.Fprint(w, "slow")
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	return mux
}

func TestHTTPCheck(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(testMux(release))
	defer srv.Close()
	defer close(release)
	cases := []struct {
		name     string
		path     string
		settings string
		want     Status
		inMsg    string
	}{
		{"ok", "/ok", `{}`, StatusOK, "200 OK in"},
		{"server error", "/down", `{}`, StatusProblem, "503 Service Unavailable in"},
		{"expected 503", "/down", `{"expect_status":"500-503"}`, StatusOK, "503"},
		{"contains", "/ok", `{"expect_contains":"systems go"}`, StatusOK, "200 OK"},
		{"does not contain", "/ok", `{"expect_contains":"fire"}`, StatusProblem, `body does not contain "fire"`},
		{"regex", "/ok", `{"expect_regex":"build [0-9]+"}`, StatusOK, "200 OK"},
		{"regex no match", "/ok", `{"expect_regex":"^build"}`, StatusProblem, "body does not match /^build/"},
		{"redirect followed", "/redirect", `{}`, StatusOK, "200 OK"},
		{"redirect not followed", "/redirect", `{"follow_redirects":false}`, StatusProblem, "302 Found"},
		{"redirect expected", "/redirect", `{"follow_redirects":false,"expect_status":"301-302"}`, StatusOK, "302 Found"},
		{"redirect loop", "/loop", `{"max_redirects":2}`, StatusProblem, "stopped after 2 redirects"},
		{"method headers body", "/echo", `{"method":"post","headers":{"X-Probe":"yes","Host":"vhost.example"},"body":"ping","user_agent":"Probe/2","expect_contains":"method=POST ua=Probe/2 x=yes host=vhost.example body=ping"}`, StatusOK, "200"},
		{"default user agent", "/echo", `{"expect_contains":"ua=Vigil/1"}`, StatusOK, "200"},
		{"head", "/ok", `{"method":"HEAD"}`, StatusOK, "200"},
		{"slow warning", "/slow", `{"response_time_warning_ms":10}`, StatusWarning, "slow: "},
		{"slow problem", "/slow", `{"response_time_warning_ms":5,"response_time_error_ms":10}`, StatusProblem, "> 10 ms"},
		{"fast enough", "/ok", `{"response_time_warning_ms":5000}`, StatusOK, "200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "http", srv.URL+tc.path, tc.settings)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r := c.Check(ctx, srv.URL+tc.path)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			for _, k := range []string{"status_code", "connect_ms", "ttfb_ms"} {
				if _, ok := r.Values[k]; !ok {
					t.Fatalf("value %s missing: %v", k, r.Values)
				}
			}
			if _, ok := r.Values["cert_days_left"]; ok {
				t.Fatalf("cert_days_left on plain http: %v", r.Values)
			}
			if r.LatencyMS <= 0 {
				t.Fatalf("latency %v", r.LatencyMS)
			}
		})
	}
}

func TestHTTPFailures(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(testMux(release))
	defer srv.Close()
	defer close(release)
	cases := []struct {
		name    string
		url     string
		timeout time.Duration
		inMsg   string
	}{
		{"closed port", "http://" + closedPort(t) + "/", 5 * time.Second, "connection refused"},
		{"deadline", srv.URL + "/hang", 150 * time.Millisecond, "timed out after"},
		// No "unknown host" case: its outcome depends on the machine's
		// resolver (here one that never answers), not on this code.
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "http", tc.url, `{}`)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			r := c.Check(ctx, tc.url)
			if took := time.Since(start); took > tc.timeout+2*time.Second {
				t.Fatalf("took %v with a %v deadline", took, tc.timeout)
			}
			if r.Status != StatusProblem || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want problem containing %q", r.Status, r.Message, tc.inMsg)
			}
		})
	}
}

func TestHTTPS(t *testing.T) {
	ca := makeCert(t, certSpec{cn: "Vigil Test Root", isCA: true}, nil)
	good := makeCert(t, certSpec{dns: []string{"127.0.0.1"}, notAfter: time.Now().Add(60 * 24 * time.Hour)}, ca)
	near := makeCert(t, certSpec{dns: []string{"127.0.0.1"}, notAfter: time.Now().Add(10*24*time.Hour + time.Hour)}, ca)
	expired := makeCert(t, certSpec{dns: []string{"127.0.0.1"}, notBefore: time.Now().Add(-9 * 24 * time.Hour), notAfter: time.Now().Add(-24*time.Hour - time.Hour)}, ca)
	wrongHost := makeCert(t, certSpec{dns: []string{"other.example"}}, ca)
	caFile := writeCAFile(t, ca)
	cases := []struct {
		name     string
		leaf     *testCert
		settings string
		want     Status
		inMsg    string
	}{
		{"trusted via ca_file", good, fmt.Sprintf(`{"ca_file":%q}`, caFile), StatusOK, "200 OK"},
		{"unknown authority", good, `{}`, StatusProblem, "chain incomplete"},
		{"hostname mismatch on IP target", wrongHost, fmt.Sprintf(`{"ca_file":%q}`, caFile), StatusProblem, "hostname mismatch: certificate is for other.example, not 127.0.0.1"},
		{"verify off", good, `{"tls_verify":false}`, StatusOK, "200 OK"},
		{"near expiry", near, fmt.Sprintf(`{"ca_file":%q}`, caFile), StatusWarning, "certificate expires in 10 days"},
		{"expired", expired, fmt.Sprintf(`{"ca_file":%q}`, caFile), StatusProblem, "certificate expired 1 day ago"},
		{"expired, verify off", expired, `{"tls_verify":false}`, StatusProblem, "200 OK in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(testMux(nil))
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{tlsCert(tc.leaf)}}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
			srv.StartTLS()
			defer srv.Close()
			c := mustNew(t, "http", srv.URL+"/ok", tc.settings)
			r := c.Check(context.Background(), srv.URL+"/ok")
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if _, ok := r.Values["cert_days_left"]; !ok {
				t.Fatalf("cert_days_left missing: %v", r.Values)
			}
			if r.Status == StatusOK {
				if _, ok := r.Values["tls_ms"]; !ok {
					t.Fatalf("tls_ms missing: %v", r.Values)
				}
			}
		})
	}
}
