package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
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
	s.gateway = gateway.New(gateway.Config{
		CA:          s.ca,
		Cert:        cert,
		Store:       s.db,
		Assignments: s.agentAssignments,
		Commit:      s.commitAgentResults,
		Log:         s.log.With("part", "gateway"),
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
// paused whose locations name the agent by id or by name. The version is
// a hash of what the agent gets, so it changes exactly when that does.
func (s *Server) agentAssignments(agentID string) (string, []wire.Assignment) {
	name := ""
	if a, err := s.db.Agent(agentID); err == nil {
		name = a.Name
	}
	h := sha256.New()
	var list []wire.Assignment
	for _, m := range s.monitors.all() {
		if m.Paused || !locatedAt(m, agentID, name) {
			continue
		}
		a := wire.Assignment{
			ID: m.ID, Type: m.Type, Target: m.Target,
			Interval: wire.Duration(m.Interval), Timeout: wire.Duration(m.Timeout), Settings: m.Settings,
		}
		if err := a.Validate(); err != nil {
			s.log.Warn("monitor not assigned to agent: invalid for the agent protocol", "monitor", m.ID, "agent", agentID, "err", err)
			continue
		}
		list = append(list, a)
		fmt.Fprintf(h, "%s\x00%s\x00", m.ID, strconv.FormatInt(m.UpdatedAt.UnixNano(), 10))
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), list
}

// locatedAt reports whether m runs at the agent with this id or name.
func locatedAt(m store.Monitor, id, name string) bool {
	for _, l := range m.Locations {
		if l == id || (name != "" && strings.EqualFold(l, name)) {
			return true
		}
	}
	return false
}

// commitAgentResults stores a batch of agent results and then moves
// state and incidents, as committed does for the server's own results.
func (s *Server) commitAgentResults(_ context.Context, batch []store.MonitorResult) error {
	if err := s.db.AppendResults(batch); err != nil {
		return err
	}
	s.committed(batch)
	return nil
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
