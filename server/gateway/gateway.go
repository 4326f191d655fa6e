package gateway

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// Defaults for the zero values of Config.
const (
	DefaultCertValidity   = 90 * 24 * time.Hour
	DefaultPollWait       = 30 * time.Second
	DefaultHeartbeatFlush = 15 * time.Second
)

// Store is what the gateway needs of the store; *store.DB has it.
type Store interface {
	// ConsumeJoinToken takes one use of join token id if secretHash
	// matches and the token is usable at now; see store.DB.
	ConsumeJoinToken(id string, secretHash []byte, now time.Time) (store.JoinToken, error)
	// CreateAgent stores a new agent, setting its ID; a taken name is
	// store.ErrConflict.
	CreateAgent(a *store.Agent, by store.Actor) error
	// Agent returns the agent with the given id, or store.ErrNotFound.
	Agent(id string) (store.Agent, error)
	// Agents returns every agent, to learn when each was last seen.
	Agents() ([]store.Agent, error)
	// UpdateAgent replaces an agent's facts and certificate.
	UpdateAgent(a *store.Agent, by store.Actor) error
	// TouchAgents records many agents' heartbeats in one transaction.
	TouchAgents(touches []store.AgentTouch) error
	// RevokedSerials returns the serials of revoked agents' certificates.
	RevokedSerials() (map[string]bool, error)
}

var _ Store = (*store.DB)(nil)

// Config is what a Gateway is built from.
type Config struct {
	CA    *pki.CA         // signs agents' certificates and verifies them
	Cert  tls.Certificate // the gateway's server certificate, leaf + CA
	Store Store
	// Assignments returns the monitors agentID runs and a version string
	// that changes whenever that list does. It must be safe for
	// concurrent use. Nil means no agent runs anything. The gateway keeps
	// each agent's answer until Notify: call Notify after every change
	// that may change an answer.
	Assignments func(agentID string) (version string, list []wire.Assignment)
	// Commit stores a batch of results and returns only once it is
	// committed; only then is the batch acknowledged to the agent.
	Commit func(ctx context.Context, batch []store.MonitorResult) error
	// FIM returns the file-integrity policies agentID scans, in the same
	// way as Assignments (kept until Notify). Nil means none.
	FIM func(agentID string) []wire.FIMPolicy
	// FIMReport commits one file-integrity report of agentID and returns
	// only once it is committed; only then is it acknowledged. An error
	// wrapping ErrPolicyGone is answered 410 (the agent stops the scan).
	// Nil refuses every report as gone.
	FIMReport    func(ctx context.Context, agentID string, r *wire.FIMReport) error
	CertValidity time.Duration // of agents' certificates; DefaultCertValidity if zero
	// PollWait is how long a poll is held; DefaultPollWait if zero, and
	// kept within wire.MinWait and wire.MaxWait.
	PollWait time.Duration
	// HeartbeatFlush is how often the heartbeats kept in memory are
	// written to the store, all agents in one transaction;
	// DefaultHeartbeatFlush if zero. Serve also writes them when it stops.
	HeartbeatFlush time.Duration
	Log            *slog.Logger     // slog.Default() if nil
	Now            func() time.Time // time.Now if nil
}

// Gateway serves the agent protocol. Its methods are safe for concurrent
// use.
type Gateway struct {
	cfg Config
	log *slog.Logger

	revokedMu sync.RWMutex
	revoked   map[string]bool // certificate serials refused on every request

	changes  *broadcast
	gen      atomic.Uint64 // counts Notify calls: cached assignments older than it are stale
	stopOnce sync.Once
	stopping chan struct{} // closed when Serve begins to shut down

	agentsMu sync.Mutex
	agents   map[string]*agentState

	fimMu       sync.Mutex
	fimProgress map[fimKey]*fimScan // live progress of file-integrity scans (fim_progress.go)

	onHold func(agentID string) // tests: a poll starts to wait
}

// agentState is what the gateway keeps in memory about one agent.
type agentState struct {
	// Under Gateway.agentsMu: the latest heartbeat, and whether the store
	// has it yet.
	lastSeen time.Time
	address  string
	dirty    bool
	// Under Gateway.agentsMu, in memory only (presence.go): whether a
	// poll came since this process started, and its spool statistics.
	polled bool
	spool  wire.SpoolStats

	commit    sync.Mutex // one results batch at a time
	fimCommit sync.Mutex // one file-integrity report at a time

	assignMu sync.Mutex
	assign   *assignment // the agent's assignments as of a generation, or nil
}

// New returns a gateway for cfg, filling in defaults. It does not listen;
// see Serve.
func New(cfg Config) *Gateway {
	if cfg.CertValidity <= 0 {
		cfg.CertValidity = DefaultCertValidity
	}
	if cfg.PollWait <= 0 {
		cfg.PollWait = DefaultPollWait
	}
	if cfg.HeartbeatFlush <= 0 {
		cfg.HeartbeatFlush = DefaultHeartbeatFlush
	}
	cfg.PollWait = min(max(cfg.PollWait, wire.MinWait), wire.MaxWait)
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Assignments == nil {
		cfg.Assignments = func(string) (string, []wire.Assignment) { return "none", nil }
	}
	if cfg.FIM == nil {
		cfg.FIM = func(string) []wire.FIMPolicy { return nil }
	}
	if cfg.FIMReport == nil {
		cfg.FIMReport = func(context.Context, string, *wire.FIMReport) error { return ErrPolicyGone }
	}
	return &Gateway{
		cfg:      cfg,
		log:      cfg.Log,
		revoked:  map[string]bool{},
		changes:  newBroadcast(),
		stopping: make(chan struct{}),
		agents:   map[string]*agentState{},

		fimProgress: map[fimKey]*fimScan{},
	}
}

// TLSConfig returns the gateway's TLS configuration: TLS 1.3 only, its
// server certificate, and client certificates verified against the CA
// when given (the join request comes without one).
func (g *Gateway) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{g.cfg.Cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    g.cfg.CA.Pool(),
	}
}

// Notify tells the gateway that monitors changed: the assignments it
// keeps are stale, and held polls recompute their agent's and answer at
// once if they differ.
func (g *Gateway) Notify() {
	g.gen.Add(1) // before waking anyone, so a woken poll sees it
	g.changes.fire()
}

// Revoke adds certificate serials (as pki.SerialString gives them) to the
// revoked set: the next request with any of them is refused.
func (g *Gateway) Revoke(serials ...string) {
	g.revokedMu.Lock()
	defer g.revokedMu.Unlock()
	for _, s := range serials {
		if s != "" {
			g.revoked[s] = true
		}
	}
}

// isRevoked reports whether serial is in the revoked set.
func (g *Gateway) isRevoked(serial string) bool {
	g.revokedMu.RLock()
	defer g.revokedMu.RUnlock()
	return g.revoked[serial]
}

// loadRevoked merges the store's revoked serials into the set.
func (g *Gateway) loadRevoked() error {
	serials, err := g.cfg.Store.RevokedSerials()
	if err != nil {
		return err
	}
	for s := range serials {
		g.Revoke(s)
	}
	return nil
}

// state returns agentID's in-memory state, creating it.
func (g *Gateway) state(agentID string) *agentState {
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	st := g.agents[agentID]
	if st == nil {
		st = &agentState{}
		g.agents[agentID] = st
	}
	return st
}
