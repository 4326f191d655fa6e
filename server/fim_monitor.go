package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/ingest"
	"github.com/vigil-monitor/vigil/store"
)

// Each agent a file-integrity policy applies to has a monitor of type
// fim, which the server keeps: it creates one when a policy starts to
// apply (the agent joined, got a label, or a policy was written), and
// removes it when none applies and no change is open. People may edit it
// (name, notify) like any monitor. Its results come from the server,
// through the normal ingest path, so incidents and notifications work
// as for any monitor.

// fimReconcileEvery is how often the FIM monitors are checked without a
// reason to: it catches what no event announced (a monitor deleted by
// hand).
const fimReconcileEvery = time.Minute

// fimMonitorPrefix begins the name of the monitors the server makes.
const fimMonitorPrefix = "File integrity · "

// fimMonitors is the server's bookkeeping of FIM monitors.
type fimMonitors struct {
	kickCh chan struct{}

	mu      sync.Mutex
	byAgent map[string]string // agent id → its FIM monitor's id, as last seen

	ensureMu sync.Mutex // one creation at a time, so no agent gets two

	submitMu sync.Mutex           // results of one monitor leave in time order
	lastAt   map[string]time.Time // monitor id → At of its last result
	lastSaid map[string]string    // monitor id → status and message of its last result
}

func newFIMMonitors() *fimMonitors {
	return &fimMonitors{kickCh: make(chan struct{}, 1), byAgent: map[string]string{}, lastAt: map[string]time.Time{}, lastSaid: map[string]string{}}
}

// kick asks the loop to reconcile soon; it never blocks.
func (k *fimMonitors) kick() {
	select {
	case k.kickCh <- struct{}{}:
	default:
	}
}

// has reports whether agentID had a FIM monitor when last seen.
func (k *fimMonitors) has(agentID string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.byAgent[agentID]
	return ok
}

// runFIMMonitors reconciles the FIM monitors at start, on every kick and
// every fimReconcileEvery, until ctx ends.
func (s *Server) runFIMMonitors(ctx context.Context) {
	t := time.NewTicker(fimReconcileEvery)
	defer t.Stop()
	for {
		if err := s.reconcileFIMMonitors(); err != nil && ctx.Err() == nil {
			s.log.Error("file integrity monitors", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.fimMonitors.kickCh:
		}
	}
}

// reconcileFIMMonitors gives every agent a policy applies to a FIM
// monitor, and removes the FIM monitor of an agent no policy applies to
// once none of its changes is open.
func (s *Server) reconcileFIMMonitors() error {
	agents, err := s.db.Agents()
	if err != nil {
		return err
	}
	index := s.indexFIMMonitors()
	for _, a := range agents {
		applies := len(s.fim.forAgent(a)) > 0
		m, has := s.monitors.get(index[a.ID])
		switch {
		case applies && !has:
			if _, err := s.ensureFIMMonitor(a); err != nil {
				s.log.Error("file integrity monitor not created", "agent", a.ID, "err", err)
			}
		case !applies && has:
			s.retireFIMMonitor(a, m)
		case has:
			// Time alone makes scans late: judge again, and tell the
			// monitor only when the verdict changed.
			s.judgeFIMMonitor(a.ID, m, false)
		}
	}
	return nil
}

// retireFIMMonitor deletes m, the FIM monitor of an agent no policy
// applies to any more, unless changes are still open there or another
// monitor depends on it.
func (s *Server) retireFIMMonitor(a store.Agent, m store.Monitor) {
	counts, err := s.db.FIMOpenCounts(a.ID)
	if err != nil {
		s.log.Error("file integrity monitor: open changes", "agent", a.ID, "err", err)
		return
	}
	if total(counts) > 0 {
		return // people still have to look at them
	}
	if err := s.deleteMonitor(m.ID, systemActor); err != nil {
		s.log.Warn("file integrity monitor of an agent without policies not removed", "agent", a.ID, "monitor", m.ID, "err", err)
		return
	}
	s.fimMonitors.mu.Lock()
	delete(s.fimMonitors.byAgent, a.ID)
	s.fimMonitors.mu.Unlock()
}

// indexFIMMonitors notes every agent's FIM monitor in one pass over the
// monitors, so a reconciliation does not walk them once per agent.
func (s *Server) indexFIMMonitors() map[string]string {
	byAgent := map[string]string{}
	for _, m := range s.monitors.all() {
		if m.Type != checks.FIMType {
			continue
		}
		for _, l := range m.Locations {
			if _, taken := byAgent[l]; !taken {
				byAgent[l] = m.ID
			}
		}
	}
	s.fimMonitors.mu.Lock()
	s.fimMonitors.byAgent = maps.Clone(byAgent) // changed under mu; the caller reads its own
	s.fimMonitors.mu.Unlock()
	return byAgent
}

// fimMonitorOf returns agentID's FIM monitor: a monitor of type fim
// located at the agent (the one with the lowest id if people made more).
func (s *Server) fimMonitorOf(agentID string) (store.Monitor, bool) {
	k := s.fimMonitors
	k.mu.Lock()
	id, cached := k.byAgent[agentID]
	k.mu.Unlock()
	if cached {
		if m, ok := s.monitors.get(id); ok && m.Type == checks.FIMType && slices.Contains(m.Locations, agentID) {
			return m, true
		}
	}
	// Not known, or changed by hand since: look at every monitor.
	for _, m := range s.monitors.all() {
		if m.Type == checks.FIMType && slices.Contains(m.Locations, agentID) {
			k.mu.Lock()
			k.byAgent[agentID] = m.ID
			k.mu.Unlock()
			return m, true
		}
	}
	k.mu.Lock()
	delete(k.byAgent, agentID)
	k.mu.Unlock()
	return store.Monitor{}, false
}

// ensureFIMMonitor returns a's FIM monitor, creating it (as the system,
// audited) with a first result when there is none.
func (s *Server) ensureFIMMonitor(a store.Agent) (store.Monitor, error) {
	s.fimMonitors.ensureMu.Lock()
	defer s.fimMonitors.ensureMu.Unlock()
	if m, ok := s.fimMonitorOf(a.ID); ok {
		return m, nil
	}
	confirm := 1
	m, err := s.createMonitor(monitorInput{
		Name: fimMonitorPrefix + a.Name, Type: checks.FIMType, Target: a.Name, Locations: []string{a.ID},
		Interval: formatDuration(defaultFIMInterval), Confirm: &confirm,
	}, systemActor)
	if err != nil {
		return m, fmt.Errorf("create file integrity monitor of agent %s: %w", a.ID, err)
	}
	s.fimMonitors.mu.Lock()
	s.fimMonitors.byAgent[a.ID] = m.ID
	s.fimMonitors.mu.Unlock()
	s.log.Info("file integrity monitor created", "agent", a.ID, "monitor", m.ID)
	s.submitFIMResult(a.ID, m)
	return m, nil
}

// fimChanged submits a new result for agentID's FIM monitor, after its
// open changes changed; it creates the monitor if it is missing.
func (s *Server) fimChanged(agentID string) {
	m, ok := s.fimMonitorOf(agentID)
	if !ok {
		a, err := s.db.Agent(agentID)
		if err != nil {
			s.log.Error("file integrity monitor: read agent", "agent", agentID, "err", err)
			return
		}
		if _, err := s.ensureFIMMonitor(a); err != nil {
			s.log.Error("file integrity monitor not created", "agent", agentID, "err", err)
		}
		return // ensureFIMMonitor submitted the first result
	}
	s.submitFIMResult(agentID, m)
}

// submitFIMResult judges agentID's open changes and scans now and queues
// the result for m.
func (s *Server) submitFIMResult(agentID string, m store.Monitor) {
	s.judgeFIMMonitor(agentID, m, true)
}

// judgeFIMMonitor judges agentID's open changes and scans now and queues
// the result for m: always, or only when its status or message differs
// from the last one sent. The store keeps one result per millisecond and
// drops one not after the last, so each At is made later than the one
// before.
func (s *Server) judgeFIMMonitor(agentID string, m store.Monitor, always bool) {
	k := s.fimMonitors
	k.submitMu.Lock()
	defer k.submitMu.Unlock()
	byPolicy, err := s.db.FIMOpenByPolicy(agentID)
	if err != nil {
		s.log.Error("file integrity monitor: open changes", "agent", agentID, "err", err)
		return
	}
	now := time.Now().UTC()
	stale, err := s.fimStaleOf(agentID, now)
	if err != nil {
		s.log.Error("file integrity monitor: scan states", "agent", agentID, "err", err)
		return
	}
	res := judgeFIM(byPolicy, stale, s.fimPolicyName)
	said := string(res.Status) + "\x00" + res.Message
	if !always && k.lastSaid[m.ID] == said {
		return
	}
	k.lastSaid[m.ID] = said
	res.Location = agentID
	res.At = now.Truncate(time.Millisecond)
	if last := k.lastAt[m.ID]; !res.At.After(last) {
		res.At = last.Add(time.Millisecond)
	}
	k.lastAt[m.ID] = res.At
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.writer.Submit(ctx, store.MonitorResult{MonitorID: m.ID, Result: res}); err != nil && !errors.Is(err, ingest.ErrClosed) {
		s.log.Error("file integrity monitor: result not queued", "monitor", m.ID, "err", err)
	}
}

// fimPolicyName names a policy for messages; a deleted one by its id.
func (s *Server) fimPolicyName(id string) string {
	if p, ok := s.fim.get(id); ok {
		return p.Name
	}
	return "policy " + id
}

// judgeFIM turns open change counts (by policy, then severity) and the
// reasons scans are stale into a result: problem for any open change of
// severity medium or above, warning for low ones only or stale scans, ok
// for neither.
func judgeFIM(byPolicy map[string]map[string]int, stale []string, policyName func(string) string) checks.Result {
	bySeverity := map[string]int{}
	var names []string
	for id, counts := range byPolicy {
		if total(counts) > 0 {
			names = append(names, policyName(id))
		}
		for sev, n := range counts {
			bySeverity[sev] += n
		}
	}
	n := total(bySeverity)
	values := map[string]float64{"open_changes": float64(n)}
	var parts []string
	for i := len(store.FIMSeverities) - 1; i >= 0; i-- {
		sev := store.FIMSeverities[i]
		values["open_"+sev] = float64(bySeverity[sev])
		if bySeverity[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", bySeverity[sev], sev))
		}
	}
	values["stale_policies"] = float64(len(stale))
	scans := ""
	if len(stale) > 0 {
		scans = "scans need a look: " + strings.Join(stale, "; ")
	}
	if n == 0 {
		if scans != "" {
			return checks.Result{Status: checks.StatusWarning, Message: "no open changes; " + scans, Values: values}
		}
		return checks.Result{Status: checks.StatusOK, Message: "no open changes", Values: values}
	}
	status := checks.StatusWarning
	if n > bySeverity[store.FIMLow] {
		status = checks.StatusProblem
	}
	sort.Strings(names)
	word := "changes"
	if n == 1 {
		word = "change"
	}
	msg := fmt.Sprintf("%d open %s: %s (policy %s)", n, word, strings.Join(parts, ", "), strings.Join(names, ", "))
	if scans != "" {
		msg += "; " + scans
	}
	return checks.Result{Status: status, Message: msg, Values: values}
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
