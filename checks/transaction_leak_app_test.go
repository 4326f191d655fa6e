package checks

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// leakApp is the application a transaction monitors in the password
// tests: pages that echo what they are sent (as a search page does), HTML
// escaped and as it is, and a redirect to wherever it is told.
func leakApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<p>No results for q=[%s]</p>", html.EscapeString(r.FormValue("q")))
	})
	mux.HandleFunc("/raw", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "No results for q=[%s]", r.FormValue("q"))
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.URL.Query().Get("code"))
		if err != nil {
			code = http.StatusTemporaryRedirect
		}
		http.Redirect(w, r, r.URL.Query().Get("to"), code)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, "ok")
	})
	return mux
}

// recorder is a server standing for evil.example: it answers everything
// with 200 and keeps what it received.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // each request, dumped whole: line, headers, body
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, err := httputil.DumpRequest(r, true)
		if err != nil {
			t.Errorf("evil server: %v", err)
		}
		rec.mu.Lock()
		rec.seen = append(rec.seen, string(dump))
		rec.mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(rec.Close)
	return rec
}

// host is the recorder's host:port, as a URL or a message names it.
func (rec *recorder) host() string { return strings.TrimPrefix(rec.URL, "http://") }

func (rec *recorder) requests() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.seen...)
}

// gotPassword reports whether any request the recorder received holds
// pw, as it is or encoded as a URL or a form encodes it.
func (rec *recorder) gotPassword(pw string) bool {
	for _, req := range rec.requests() {
		for _, f := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw)} {
			if strings.Contains(req, f) {
				return true
			}
		}
	}
	return false
}
