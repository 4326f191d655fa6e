package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/store"
)

// initGateway issues the gateway's server certificate and builds the
// gateway; it does not listen yet (see startGateway). The gateway exists
// even when no --agent-listen is set, so revocations and Notify calls
// always have somewhere to go.
func (s *Server) initGateway() error {
	cert, err := s.ca.ServerCertificate(s.cfg.DataDir, gatewayHosts(s.cfg))
	if err != nil {
		return fmt.Errorf("agent gateway: %w", err)
	}
	idx := &assignIndex{}
	s.gateway = gateway.New(gateway.Config{
		CA:    s.ca,
		Cert:  cert,
		Store: s.db,
		Assignments: func(agentID string) (string, []wire.Assignment) {
			return s.agentAssignments(idx, agentID)
		},
		Commit:    s.commitAgentResults,
		FIM:       s.fimAssignments,
		FIMReport: s.commitFIMReport,
		Log:       s.log.With("part", "gateway"),
	})
	return nil
}

// startGateway listens on --agent-listen and serves the gateway until ctx
// ends; wg tracks it so the store is closed only after the gateway's
// last commit. An empty --agent-listen (tests) serves nothing. The
// returned channel reports the gateway stopping with an error.
func (s *Server) startGateway(ctx context.Context, wg *sync.WaitGroup) (<-chan error, error) {
	failed := make(chan error, 1)
	if s.cfg.AgentListen == "" {
		return failed, nil
	}
	ln, err := net.Listen("tcp", s.cfg.AgentListen)
	if err != nil {
		return nil, fmt.Errorf("agent gateway: listen on %s: %w", s.cfg.AgentListen, err)
	}
	s.log.Info("agent gateway is listening", "addr", ln.Addr().String(), "ca_fingerprint", s.ca.Fingerprint())
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.gateway.Serve(ctx, ln); err != nil {
			failed <- err
		}
	}()
	return failed, nil
}

// gatewayHosts are the names the gateway's certificate carries: the
// loopback names and the hosts of --public-url and --agent-listen.
// Agents verify the server by its CA, not by name, so this is for other
// TLS clients (curl, monitoring of the gateway itself).
func gatewayHosts(cfg Config) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	add := func(h string) {
		ip := net.ParseIP(h)
		if h == "" || (ip != nil && ip.IsUnspecified()) {
			return
		}
		for _, have := range hosts {
			if strings.EqualFold(have, h) || (ip != nil && ip.Equal(net.ParseIP(have))) {
				return
			}
		}
		hosts = append(hosts, h)
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && cfg.PublicURL != "" {
		add(u.Hostname())
	}
	if h, _, err := net.SplitHostPort(cfg.AgentListen); err == nil {
		add(h)
	}
	return hosts
}

// agentAssignments returns the monitors agentID runs: every monitor not
// paused whose locations name the agent by id or by name, in id order.
// The version is a hash of what the agent gets, so it changes exactly
// when that does.
func (s *Server) agentAssignments(idx *assignIndex, agentID string) (string, []wire.Assignment) {
	h := sha256.New()
	var list []wire.Assignment
	for _, m := range idx.lookup(s, agentID) {
		list = append(list, m.assignment)
		fmt.Fprintf(h, "%s\x00%s\x00", m.assignment.ID, strconv.FormatInt(m.updated, 10))
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), list
}

// assignIndex finds an agent's monitors without walking all of them: the
// unpaused monitors by the locations they name, and the agents' names,
// built once per gateway generation. The gateway's generation moves on
// every Notify, which agentsChanged sends after every change of a
// monitor or an agent's name, so the index is never older than the last
// change; it is built again at the first lookup after one. An agent that
// joined since is looked up in the store once.
type assignIndex struct {
	mu    sync.Mutex
	built bool
	gen   uint64
	byLoc map[string][]*indexedMonitor // folded location → monitors naming it, in id order
	names map[string]string            // agent id → name
	// opened keeps settings with their secrets opened from one build to
	// the next: agents get them in plain text, over mutual TLS only.
	opened openedSettings
}

// indexedMonitor is what the index keeps of a monitor: only what an
// agent is sent and what finds it, so ten thousand monitors cost little.
type indexedMonitor struct {
	assignment wire.Assignment
	updated    int64 // UpdatedAt in Unix nanoseconds, for the version
	locations  []string
}

// lookup returns the monitors that run at agentID, in id order.
func (x *assignIndex) lookup(s *Server, agentID string) []*indexedMonitor {
	x.mu.Lock()
	defer x.mu.Unlock()
	if gen := s.gateway.Generation(); !x.built || x.gen != gen {
		if err := x.build(s); err != nil {
			s.log.Error("agent assignments: read agents", "err", err)
			x.built = false
		} else {
			x.built, x.gen = true, gen
		}
	}
	name, known := x.names[agentID]
	if !known {
		// Joined since the build (a join sends no Notify): its name may be
		// one that monitors named before it existed.
		if a, err := s.db.Agent(agentID); err == nil {
			name, x.names[agentID] = a.Name, a.Name
		}
	}
	var out []*indexedMonitor
	for _, key := range []string{foldLocation(agentID), foldLocation(name)} {
		if key == "" {
			continue
		}
		for _, m := range x.byLoc[key] {
			if !slices.Contains(out, m) && locatedAt(m.locations, agentID, name) {
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].assignment.ID, out[j].assignment.ID) })
	return out
}

// build reads every monitor and agent name afresh. The generation is read
// by the caller before, so a change while building makes the next lookup
// build again. A monitor the agent protocol cannot carry is left out and
// logged, once per build.
func (x *assignIndex) build(s *Server) error {
	agents, err := s.db.Agents()
	if err != nil {
		return err
	}
	x.names = make(map[string]string, len(agents))
	for _, a := range agents {
		x.names[a.ID] = a.Name
	}
	x.byLoc = map[string][]*indexedMonitor{}
	x.opened.begin()
	for _, m := range s.monitors.all() {
		if m.Paused || !runsOnAgents(m) || serverResults(m.Type) {
			continue
		}
		settings, err := x.opened.open(s.seal, m)
		if err != nil {
			continue // the server reports it in the monitor's place (scheduleUndecryptable)
		}
		im := &indexedMonitor{
			assignment: wire.Assignment{
				ID: m.ID, Type: m.Type, Target: m.Target,
				Interval: wire.Duration(m.Interval), Timeout: wire.Duration(m.Timeout), Settings: settings,
			},
			updated: m.UpdatedAt.UnixNano(), locations: m.Locations,
		}
		if err := im.assignment.Validate(); err != nil {
			s.log.Warn("monitor not assigned to agents: invalid for the agent protocol", "monitor", m.ID, "err", err)
			continue
		}
		for _, l := range m.Locations {
			if l != serverLocation {
				x.byLoc[foldLocation(l)] = append(x.byLoc[foldLocation(l)], im)
			}
		}
	}
	return nil
}

// runsOnAgents reports whether m names a location other than the server.
func runsOnAgents(m store.Monitor) bool {
	for _, l := range m.Locations {
		if l != serverLocation {
			return true
		}
	}
	return false
}

// foldLocation is the index key of a location: case folded as
// strings.EqualFold compares names. locatedAt decides in the end.
func foldLocation(l string) string { return strings.ToLower(strings.ToUpper(l)) }

// locatedAt reports whether locations name the agent with this id or name.
func locatedAt(locations []string, id, name string) bool {
	for _, l := range locations {
		if l == id || (name != "" && strings.EqualFold(l, name)) {
			return true
		}
	}
	return false
}

// commitAgentResults stores a batch of agent results through the ingest
// writer, in one transaction with other agents' batches and the server's
// own results, and returns once that transaction committed and state and
// incidents moved (the writer's OnCommitted): only then does the gateway
// acknowledge the batch.
func (s *Server) commitAgentResults(ctx context.Context, batch []store.MonitorResult) error {
	return s.writer.Commit(ctx, batch)
}

// revokeAgentCerts makes the gateway refuse the given certificate serials
// from the next request on. Call it after store.DB.RevokeAgent with the
// agent's CertSerial and PreviousCerts serials (the gateway also refuses
// a revoked agent by its record, but the set is what it checks first).
func (s *Server) revokeAgentCerts(serials ...string) { s.gateway.Revoke(serials...) }

// agentsChanged tells held agent polls that assignments may have changed:
// call it after a monitor or an agent's name changed.
func (s *Server) agentsChanged() { s.gateway.Notify() }

// agentOnline reports whether agent id polled within the last two poll
// waits and a margin. It does not look at revocation: check that first.
func (s *Server) agentOnline(id string) bool { return s.gateway.Online(id) }
