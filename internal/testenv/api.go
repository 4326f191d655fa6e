package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Client calls the server's JSON API with a bearer token.
type Client struct {
	Base  string // the server's URL, without /api/v1
	Token string
	HTTP  *http.Client
}

// APIError is the body of every non-2xx API answer.
type APIError struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// NewClient returns a client for base that sends token ("" for none). It
// has its own connection pool, so a client made after a server restart
// never reuses a connection to the stopped process.
func NewClient(base, token string) *Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return &Client{Base: base, Token: token, HTTP: &http.Client{Timeout: 30 * time.Second, Transport: transport}}
}

// Login gets an API token for user and returns a client that sends it.
func (s *Server) Login(user, password string) *Client {
	s.t.Helper()
	anon := NewClient(s.URL, "")
	var tok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	anon.Do(s.t, http.MethodPost, "/api/v1/auth/token",
		map[string]string{"username": user, "password": password}, http.StatusCreated, &tok)
	if tok.Token == "" {
		s.t.Fatalf("testenv: POST /api/v1/auth/token answered 201 without a token")
	}
	return NewClient(s.URL, tok.Token)
}

// Request sends one request and returns the status and the body. body may be
// nil, a []byte or string sent as is, or a value encoded as JSON. It is safe
// to call from many goroutines.
func (c *Client) Request(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return 0, nil, fmt.Errorf("encode request body: %w", err)
		}
		r = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return 0, nil, fmt.Errorf("new request: %w", err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, data, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	return resp.StatusCode, data, nil
}

// Do sends a request and fails the test, quoting the body, unless the answer
// has status want. A non-nil out receives the decoded JSON body. Do must be
// called from the test's goroutine; use Request elsewhere.
func (c *Client) Do(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, data, err := c.Request(ctx, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, status, want, truncate(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %T: %v; body: %s", method, path, out, err, truncate(data))
		}
	}
}

func truncate(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
