package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// target is the HTTP server every monitor checks.
type target struct {
	url  string
	srv  *http.Server
	hits *atomic.Int64
}

func startTarget() (*target, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for target: %w", err)
	}
	hits := new(atomic.Int64)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("ok\n"))
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	// Keep-alive off: every check dials, as it would against a real site.
	srv.SetKeepAlivesEnabled(false)
	go srv.Serve(l)
	return &target{url: "http://" + l.Addr().String(), srv: srv, hits: hits}, nil
}

func (t *target) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t.srv.Shutdown(ctx)
}
