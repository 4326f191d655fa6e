package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/server/alerting"
	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/server/ingest"
	"github.com/vigil-monitor/vigil/server/live"
	"github.com/vigil-monitor/vigil/store"
)

// Server holds the running parts of `vigil server`.
type Server struct {
	cfg       Config
	log       *slog.Logger
	db        *store.DB
	sched     *scheduler.Scheduler
	writer    *ingest.Writer
	engine    *engine.Engine
	live      *live.Cache
	monitors  *monitorSet
	ca        *pki.CA // the built-in CA that agents' certificates come from
	gateway   *gateway.Gateway
	limiter   *auth.Limiter
	publicURL string
	started   time.Time
	secure    bool // cookies get Secure (the public URL is https)

	// seal encrypts secrets at rest (SMTP password, contacts' secret
	// settings) under <data>/secret.key.
	seal *seal.Box
	// ackSigner makes and checks one-click acknowledgement links.
	ackSigner *alerting.Signer
	// dispatcher sends notifications; nil until alerting is wired in.
	dispatcher *alerting.Dispatcher

	// monitorMu serialises monitor changes: validate, write to the store,
	// then apply in memory, so concurrent edits cannot leave the scheduler
	// or the engine out of step with what is stored.
	monitorMu sync.Mutex

	// fim holds the file-integrity policies; fimMonitors keeps each
	// agent's FIM monitor (fim_monitor.go).
	fim         *fimSet
	fimMonitors *fimMonitors

	setupMu   sync.Mutex
	setupCode string // "" once an administrator exists
}

// secretKeyFile is the key that seals secrets at rest, beside the database.
const secretKeyFile = "secret.key"

// shutdownGrace bounds how long in-flight HTTP requests may take to
// finish at shutdown; the whole shutdown stays within the contract's 10 s.
const shutdownGrace = 5 * time.Second

// Run runs the server until ctx is cancelled, then shuts down cleanly:
// HTTP stops taking requests, running checks are cancelled, every result
// already produced is committed, and the store is closed.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := store.Open(cfg.DataDir, store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("data directory %s is locked: another vigil server is using it", cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	s, err := newServer(cfg, log, db, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	return s.serve(ctx, ln)
}

func newServer(cfg Config, log *slog.Logger, db *store.DB, addr net.Addr) (*Server, error) {
	s := &Server{
		cfg:       cfg,
		log:       log,
		db:        db,
		limiter:   auth.NewLimiter(auth.DefaultLimits),
		publicURL: cfg.publicURL(addr),
		started:   time.Now(),
	}
	s.secure = len(s.publicURL) > 8 && s.publicURL[:8] == "https://"
	ca, err := pki.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.ca = ca
	if s.seal, err = seal.OpenKeyFile(filepath.Join(cfg.DataDir, secretKeyFile)); err != nil {
		return nil, err
	}
	if s.ackSigner, err = alerting.LoadSigner(cfg.DataDir, s.publicURL); err != nil {
		return nil, err
	}
	if err := s.bootstrapAdmin(); err != nil {
		return nil, err
	}
	if err := s.startPipeline(); err != nil {
		return nil, err
	}
	if err := s.initGateway(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	httpSrv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}

	var wg sync.WaitGroup
	gatewayDone, err := s.startGateway(ctx, &wg)
	if err != nil {
		ln.Close()
		return err
	}
	pipelineDone := s.runPipeline(ctx, &wg)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runFIMMonitors(ctx)
	}()

	httpErr := make(chan error, 1)
	go func() { httpErr <- httpSrv.Serve(ln) }()
	s.log.Info("vigil server is running", "url", s.publicURL, "data", s.cfg.DataDir)
	if s.cfg.PublicURL == "" && onlyLocal(s.publicURL) {
		// Emails are written without a request to take the host from.
		s.log.Warn("no --public-url: links in notifications (monitor pages, acknowledgement) use "+s.publicURL+
			", which only this machine can open; start the server with --public-url https://<name others use>", "url", s.publicURL)
	}
	s.announceSetup()

	select {
	case <-ctx.Done():
	case err = <-httpErr:
		err = fmt.Errorf("http server: %w", err)
	case err = <-pipelineDone:
	case err = <-gatewayDone:
	}
	s.log.Info("shutting down")
	shutdownCtx, stop := context.WithTimeout(context.Background(), shutdownGrace)
	defer stop()
	if e := httpSrv.Shutdown(shutdownCtx); e != nil {
		s.log.Warn("http shutdown", "err", e)
	}
	cancel()
	wg.Wait()
	s.log.Info("stopped")
	return err
}
