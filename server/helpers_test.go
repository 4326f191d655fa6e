package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/store"
)

const testPassword = "correct horse battery"

// testServer is a whole server in-process: real store, real pipeline,
// real routes, behind httptest.
type testServer struct {
	*Server
	http *httptest.Server
	log  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// String reads what was logged so far; the server may be writing.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

// newTestServer starts a server; with admin true it has an administrator
// "admin" with testPassword, else it waits for setup.
func newTestServer(t testing.TB, admin bool) *testServer {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Listen: "127.0.0.1:0", LogFormat: "text"}
	if admin {
		pw := filepath.Join(dir, "pw")
		if err := os.WriteFile(pw, []byte(testPassword+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.AdminUser, cfg.AdminPasswordFile = "admin", pw
	}
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logBuf, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(cfg, log, db, ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	ts := &testServer{Server: s, log: logBuf}
	ts.http = &httptest.Server{URL: "http://" + ln.Addr().String()}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	})
	return ts
}

func (ts *testServer) url(path string) string { return ts.http.URL + path }

// addUser creates a user with testPassword and returns an API token.
func (ts *testServer) addUser(t *testing.T, name, role string) string {
	t.Helper()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{Username: name, PasswordHash: hash, Role: role}
	if err := ts.db.CreateUser(&u, systemActor); err != nil {
		t.Fatal(err)
	}
	return ts.token(t, name)
}

func (ts *testServer) token(t testing.TB, user string) string {
	t.Helper()
	var out struct{ Token string }
	ts.call(t, "", "POST", "/api/v1/auth/token", map[string]string{"username": user, "password": testPassword}, http.StatusCreated, &out)
	return out.Token
}

// call does one API request and checks the status; out, if not nil,
// receives the decoded body. It returns the raw body.
func (ts *testServer) call(t testing.TB, token, method, path string, body any, want int, out any) []byte {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, ts.url(path), rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return raw
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t      testing.TB
	ts     *testServer
	client *http.Client
}

func newBrowser(t testing.TB, ts *testServer) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ts: ts, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.ts.url(path))
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.ts.url(path), form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a page's form.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf input in page:\n%s", page)
	}
	return m[1]
}

// login signs in as admin and returns the CSRF token of the session.
func (b *browser) login() string {
	b.t.Helper()
	_, page := b.get("/login")
	resp, body := b.post("/login", url.Values{"username": {"admin"}, "password": {testPassword}, "csrf": {b.csrf(page)}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login: status %d: %s", resp.StatusCode, body)
	}
	_, page = b.get("/")
	return b.csrf(page)
}
