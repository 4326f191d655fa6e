package testenv

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Target is an HTTP server on a fixed loopback port that a test can stop
// and start again, so a monitor pointed at it fails and recovers.
type Target struct {
	URL  string // http://127.0.0.1:P/
	Addr string

	t    testing.TB
	hits atomic.Int64
	mu   sync.Mutex
	srv  *http.Server
	done chan struct{} // closed when the current Serve returns
}

// StartTarget starts a target that answers 200 "ok" to every request and
// stops it when the test ends.
func StartTarget(t testing.TB) *Target {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: listen for target: %v", err)
	}
	tg := &Target{Addr: l.Addr().String(), t: t}
	tg.URL = "http://" + tg.Addr + "/"
	tg.serve(l)
	t.Cleanup(tg.Stop)
	return tg
}

// Hits is how many requests the target has answered.
func (tg *Target) Hits() int64 { return tg.hits.Load() }

func (tg *Target) serve(l net.Listener) {
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tg.hits.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("ok\n"))
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	// Each check opens its own connection, so a stopped target is seen at
	// once rather than through a pooled connection.
	srv.SetKeepAlivesEnabled(false)
	done := make(chan struct{})
	tg.mu.Lock()
	tg.srv, tg.done = srv, done
	tg.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			tg.t.Errorf("testenv: target: %v", err)
		}
	}()
}

// Stop closes the listener and every connection; connections to the port
// are refused until Restart.
func (tg *Target) Stop() {
	tg.mu.Lock()
	srv, done := tg.srv, tg.done
	tg.srv = nil
	tg.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Close()
	<-done
}

// Restart listens on the same address again.
func (tg *Target) Restart() {
	tg.t.Helper()
	var l net.Listener
	var err error
	// The port was ours a moment ago; nobody else binds a port that the
	// kernel did not hand out, but a closing socket may hold it briefly.
	for range 50 {
		if l, err = net.Listen("tcp", tg.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tg.t.Fatalf("testenv: restart target on %s: %v", tg.Addr, err)
	}
	tg.serve(l)
}

// WaitUntil calls cond until it reports true, failing the test after
// timeout with the last state cond described. It polls: a separate process
// gives no signal a test could wait on.
func WaitUntil(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for {
		ok, state := cond(ctx)
		if ok {
			return
		}
		last = state
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s; last state: %s", timeout, what, last)
		case <-tick.C:
		}
	}
}
