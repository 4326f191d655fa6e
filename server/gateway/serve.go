package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// Limits of the gateway's HTTP server. The write timeout leaves a held
// poll room to answer.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeMargin       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
	shutdownGrace     = 5 * time.Second
)

// gatewayProtocols is HTTP/1.1 only. An agent then holds two keep-alive
// connections (its long-poll, its results) instead of one HTTP/2
// connection, but Go's HTTP/2 server hands every request and every frame
// it writes to goroutines of their own: with a thousand agents each
// sending a small batch a second, HTTP/1.1 cost 23% of one core against
// 30% for HTTP/2, for about 30 MiB more memory (docs/performance.md,
// "1,000 agents"). Agents offer both and take what the server offers.
func gatewayProtocols() *http.Protocols {
	var p http.Protocols
	p.SetHTTP1(true)
	return &p
}

// handler is an HTTP handler that returns its failure for one place to
// answer it.
type handler func(w http.ResponseWriter, r *http.Request) error

// Handler returns the gateway's routes. It expects requests that came
// over TLSConfig; Serve is the way to run it.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(wire.PathJoin, g.post(g.handleJoin))
	mux.Handle(wire.PathRenew, g.post(g.withAgent(g.handleRenew)))
	mux.Handle(wire.PathAssignments, g.post(g.withAgent(g.handlePoll)))
	mux.Handle(wire.PathResults, g.post(g.withAgent(g.handleResults)))
	mux.Handle(wire.PathFIMReport, g.post(g.withAgent(g.handleFIMReport)))
	mux.Handle("/", g.post(func(http.ResponseWriter, *http.Request) error {
		return &fail{status: http.StatusNotFound, body: wire.Error{Code: codeNotFound, Message: "the agent gateway has no such path"}}
	}))
	return mux
}

// post answers anything but POST with 405, and h's error as a wire.Error.
func (g *Gateway) post(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			g.writeError(w, r, &fail{status: http.StatusMethodNotAllowed, body: wire.Error{Code: codeBadMethod, Message: "the agent gateway takes only POST"}})
			return
		}
		if err := h(w, r); err != nil {
			g.writeError(w, r, err)
		}
	})
}

// Serve loads the revoked serials and last-seen times from the store and
// serves the gateway over TLS on ln until ctx ends; then it stops taking
// requests, wakes held polls, waits up to a few seconds for requests in
// flight (a results batch being committed) to finish, and writes the
// heartbeats not yet in the store. It returns nil after a shutdown and the
// error otherwise.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	if err := g.loadRevoked(); err != nil {
		ln.Close()
		return fmt.Errorf("gateway: load revoked certificates: %w", err)
	}
	if err := g.loadLastSeen(); err != nil {
		ln.Close()
		return fmt.Errorf("gateway: load agents: %w", err)
	}
	srv := &http.Server{
		Handler:           g.Handler(),
		TLSConfig:         g.TLSConfig(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      g.cfg.PollWait + writeMargin,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		Protocols:         gatewayProtocols(),
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelInfo),
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	stopFlush, flushDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(flushDone); g.flushLoop(stopFlush) }()
	defer func() {
		close(stopFlush)
		<-flushDone
		if err := g.flushHeartbeats(); err != nil {
			g.log.Error("agent heartbeats not written at shutdown", "err", err)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("gateway: serve: %w", err)
	case <-ctx.Done():
	}
	g.stopOnce.Do(func() { close(g.stopping) })
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if err != nil {
		srv.Close() // requests still running after the grace are cut off
	}
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("gateway: shut down: %w", err)
	}
	return nil
}
