package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/vigil-monitor/vigil/agent/spool"
	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
)

// Run joins the server if this state directory has not yet, then runs the
// agent until ctx is done (nil) or the server refuses it for good (an
// error). A failed join is an error that says why.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	st, err := openState(cfg.StateDir)
	if err != nil {
		return err
	}
	creds, err := st.load()
	switch {
	case errors.Is(err, errNotJoined) && cfg.Token == "":
		return fmt.Errorf("agent: %s holds no identity yet: give --token (and --server) to join", cfg.StateDir)
	case errors.Is(err, errNotJoined):
		if creds, err = join(ctx, cfg, st, log); err != nil {
			return err
		}
	case err != nil:
		return err
	case cfg.Token != "":
		log.Info("already joined: ignoring --token", "agent_id", creds.id.AgentID, "state", cfg.StateDir)
	}
	a, err := newAgent(cfg, st, creds, log)
	if err != nil {
		return err
	}
	return a.run(ctx)
}

// agent is a joined agent's running parts.
type agent struct {
	cfg   Config
	st    state
	id    identity
	log   *slog.Logger
	cert  atomic.Pointer[tls.Certificate]
	api   *client
	spool *spool.Spool
	sched *scheduler.Scheduler
	// spooler appends results to spool, several in one fsync.
	spooler *groupAppend
	// checkEnv offers host checks what this host's own configuration
	// allows: the shell commands of allow (see allow.go), which the
	// server can name but never change.
	checkEnv checks.Env
	allow    *allowList
	// fim runs the file-integrity policies assigned (fim.go).
	fim *fimScans

	queued chan struct{} // a result was spooled; wakes the delivery loop
	// idling gets a value (if it has room) each time the delivery loop
	// finds the spool empty and starts waiting: tests wait for it so the
	// results they make meet a waiting loop, not its first read at start.
	idling chan struct{}
	// delivered is closed when the first batch is acknowledged (trimOnce).
	delivered     chan struct{}
	deliveredOnce sync.Once
	refused       atomic.Uint64 // results dropped because the server refused them

	mu      sync.Mutex
	applied map[string]applied // by monitor id: what the scheduler runs
	version string             // of the assignments applied
}

// newAgent prepares a joined agent; run starts it.
func newAgent(cfg Config, st state, creds credentials, log *slog.Logger) (*agent, error) {
	if cfg.retry == (backoffRange{}) {
		cfg.retry = defaultRetry
	}
	if cfg.fimFirstJitter == 0 {
		cfg.fimFirstJitter = defaultFIMFirstJitter
	}
	server := creds.id.Server
	if cfg.Server != "" && cfg.Server != server {
		log.Info("using --server rather than the server joined", "server", cfg.Server, "joined", server)
		server = cfg.Server
	}
	a := &agent{
		cfg:       cfg,
		st:        st,
		id:        creds.id,
		log:       log.With("agent_id", creds.id.AgentID),
		queued:    make(chan struct{}, 1),
		idling:    make(chan struct{}, 1),
		delivered: make(chan struct{}),
		applied:   map[string]applied{},
	}
	a.allow = newAllowList(allowDirOf(cfg), a.log)
	a.checkEnv = checks.Env{Command: a.allow.lookup, ReadableLog: newLogRoots(cfg.LogDirs, st.dir).readable}
	a.cert.Store(&creds.cert)
	api, err := newClient(server, creds.id.CAFingerprint, &a.cert)
	if err != nil {
		return nil, err
	}
	a.api = api
	a.sched = scheduler.New(scheduler.Options{Location: creds.id.AgentID, Sink: a.sink}, a.log)
	a.fim = newFIMScans(st.path(fimFile), a.postFIMReport, cfg.retry, cfg.fimFirstJitter, a.log)
	return a, nil
}

// run opens the spool and runs the loops until ctx is done or one of them
// stops the agent.
func (a *agent) run(ctx context.Context) error {
	if err := a.openSpool(); err != nil {
		return err
	}
	return a.loops(ctx)
}

// openSpool opens the result spool under the state directory.
func (a *agent) openSpool() error {
	sp, err := spool.Open(filepath.Join(a.st.dir, spoolDir), spool.Options{MaxBytes: a.cfg.SpoolMaxBytes, MaxAge: a.cfg.SpoolMaxAge})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	a.spool = sp
	a.spooler = newGroupAppend(sp.Append)
	return nil
}

// loops runs the scheduler, poll, delivery, renewal and file-integrity
// scans until ctx is done or one of them stops the agent, then closes the
// spool.
func (a *agent) loops(ctx context.Context) error {
	defer a.api.close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a.log.Info("agent running", "name", a.id.Name, "state", a.st.dir)

	var wg sync.WaitGroup
	wg.Go(func() { _ = a.sched.Run(ctx) })
	wg.Go(func() { a.trimOnce(ctx) })
	for _, loop := range []func(context.Context) error{a.pollLoop, a.deliverLoop, a.renewLoop, a.fim.run} {
		wg.Go(func() {
			if err := loop(ctx); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	pending := a.spool.Stats().Records
	if err := a.spool.Close(); err != nil {
		a.log.Error("close spool", "err", err)
	}
	if cause := context.Cause(ctx); errors.Is(cause, errStopped) {
		a.log.Error("agent stopped", "err", cause)
		return cause
	}
	// Stopped from outside (SIGTERM, Ctrl-C): say so, with what is left
	// to deliver on the next start.
	a.log.Info("agent stopped", "results_to_deliver", pending)
	return nil
}
