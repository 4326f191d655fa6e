package checks

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// serveLines answers each connection with greeting, then echoes one line
// back in upper case, until the test ends.
func serveLines(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = conn.Write([]byte(greeting))
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err == nil {
					_, _ = conn.Write([]byte(strings.ToUpper(line)))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// serveBanner writes banner to each connection and hangs up.
func serveBanner(t *testing.T, banner string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte(banner))
			conn.Close()
		}
	}()
	return ln.Addr().String()
}

func TestTCPCheck(t *testing.T) {
	greeter := serveLines(t, "220 mail.test ESMTP ready\r\n")
	banner := serveBanner(t, "220 mail.test ESMTP ready\r\n")
	quiet := serveLines(t, "")
	silent := silentListener(t)
	cases := []struct {
		name     string
		target   string
		settings string
		timeout  time.Duration
		want     Status
		inMsg    string
	}{
		{"connect", greeter, `{}`, 5 * time.Second, StatusOK, "connected in"},
		{"banner", greeter, `{"expect":"ESMTP"}`, 5 * time.Second, StatusOK, `got "ESMTP"`},
		{"banner missing", banner, `{"expect":"SSH-2.0"}`, 5 * time.Second, StatusProblem, `connection closed before "SSH-2.0" was received (got "220 mail.test`},
		{"send and expect", quiet, `{"send":"hello\n","expect":"HELLO"}`, 5 * time.Second, StatusOK, `got "HELLO"`},
		{"closed port", closedPort(t), `{}`, 5 * time.Second, StatusProblem, "connection refused"},
		{"expect times out", silent, `{"expect":"x"}`, 150 * time.Millisecond, StatusProblem, `waiting for "x": timed out after`},
		{"threshold off", greeter, `{"response_time_warning_ms":0}`, 5 * time.Second, StatusOK, "connected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "tcp", tc.target, tc.settings)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			r := c.Check(ctx, tc.target)
			if took := time.Since(start); took > tc.timeout+2*time.Second {
				t.Fatalf("took %v with a %v deadline", took, tc.timeout)
			}
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if ms, ok := r.Values["connect_ms"]; r.Status == StatusOK && (!ok || ms < 0) {
				t.Fatalf("connect_ms %v", r.Values)
			}
		})
	}
}

// TestTCPSlowBanner checks the response-time thresholds against a server
// whose banner comes late.
func TestTCPSlowBanner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			// A real delay: the latency under test.
			time.Sleep(40 * time.Millisecond)
			_, _ = conn.Write([]byte("READY\n"))
			conn.Close()
		}
	}()
	cases := []struct {
		name     string
		settings string
		want     Status
	}{
		{"warning", `{"expect":"READY","response_time_warning_ms":10}`, StatusWarning},
		{"problem", `{"expect":"READY","response_time_warning_ms":5,"response_time_error_ms":10}`, StatusProblem},
		{"ok", `{"expect":"READY","response_time_warning_ms":5000}`, StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := ln.Addr().String()
			r := mustNew(t, "tcp", addr, tc.settings).Check(context.Background(), addr)
			if r.Status != tc.want {
				t.Fatalf("got %s %q, want %s", r.Status, r.Message, tc.want)
			}
		})
	}
}
