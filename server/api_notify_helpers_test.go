package server

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// hookReceiver is a webhook endpoint that keeps what it is sent and
// answers with the status set (200 by default).
type hookReceiver struct {
	*httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	bodies []map[string]any
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.status.Store(http.StatusOK)
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
		w.WriteHeader(int(h.status.Load()))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) received() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

// mailSink is a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 without TLS or authentication, keeping what it receives.
type mailSink struct {
	host string
	port int
	mu   sync.Mutex
	to   []string
	data []string
}

func newMailSink(t *testing.T) *mailSink {
	m := &mailSink{}
	srv := smtp.NewServer(sinkBackend{m})
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.host, m.port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailSink) received() (to, data []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.to...), append([]string(nil), m.data...)
}

type sinkBackend struct{ m *mailSink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: b.m}, nil }

type sinkSession struct {
	m  *mailSink
	to []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.to = append(s.m.to, s.to...)
	s.m.data = append(s.m.data, string(raw))
	return nil
}
func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

// apiError is an error answer as tests read it.
type errorBody struct{ Error, Field string }

// mustNotContain fails when any of the texts holds secret.
func mustNotContain(t *testing.T, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Fatalf("the secret %q leaked into: %s", secret, s)
		}
	}
}

// auditText is the whole audit log as JSON, for leak checks.
func (ts *testServer) auditText(t *testing.T, token string) string {
	t.Helper()
	return string(ts.call(t, token, "GET", "/api/v1/audit?limit=1000", nil, http.StatusOK, nil))
}
