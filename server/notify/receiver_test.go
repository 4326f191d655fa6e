package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// receiver is an httptest server that records every request and answers
// with a fixed status and body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []receivedRequest
	status int
	answer string
}

type receivedRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
	User, Pass          string
	HasAuth             bool
}

func newReceiver(t testing.TB, status int, answer string) *receiver {
	t.Helper()
	r := &receiver{status: status, answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		user, pass, ok := req.BasicAuth()
		r.mu.Lock()
		r.reqs = append(r.reqs, receivedRequest{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
			Header: req.Header.Clone(), Body: body, User: user, Pass: pass, HasAuth: ok})
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []receivedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedRequest(nil), r.reqs...)
}

func (r *receiver) only(t testing.TB) receivedRequest {
	t.Helper()
	got := r.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	return got[0]
}
