package server

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// fimSet is the in-memory copy of every file-integrity policy: the
// gateway asks which apply to an agent on every change of assignments,
// and reports check severities against them. The store stays the source
// of truth: the set changes only after a store write.
type fimSet struct {
	// writeMu serialises policy changes: write to the store, then to the
	// set, so concurrent edits cannot leave the set behind the store.
	writeMu sync.Mutex

	mu sync.RWMutex
	m  map[string]store.FIMPolicy
}

func newFIMSet(ps []store.FIMPolicy) *fimSet {
	set := &fimSet{m: make(map[string]store.FIMPolicy, len(ps))}
	for _, p := range ps {
		set.m[p.ID] = p
	}
	return set
}

func (s *fimSet) get(id string) (store.FIMPolicy, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.m[id]
	return p, ok
}

func (s *fimSet) put(p store.FIMPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[p.ID] = p
}

func (s *fimSet) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// all returns every policy ordered by id.
func (s *fimSet) all() []store.FIMPolicy {
	s.mu.RLock()
	out := make([]store.FIMPolicy, 0, len(s.m))
	for _, p := range s.m {
		out = append(out, p)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

// forAgent returns the policies that apply to a, ordered by id. A revoked
// agent scans nothing.
func (s *fimSet) forAgent(a store.Agent) []store.FIMPolicy {
	if a.RevokedAt != nil {
		return nil
	}
	var out []store.FIMPolicy
	for _, p := range s.all() {
		if fimApplies(p.Agents, a) {
			out = append(out, p)
		}
	}
	return out
}

// Agent selectors of a policy: an agent id, an agent name (without
// regard to case), "label:KEY=VALUE" (an agent label exactly so) or
// "label:KEY" (a label KEY, or KEY=anything).
const labelSelector = "label:"

// fimApplies reports whether any of selectors picks agent a.
func fimApplies(selectors []string, a store.Agent) bool {
	return slices.ContainsFunc(selectors, func(sel string) bool { return selects(sel, a) })
}

func selects(sel string, a store.Agent) bool {
	if want, ok := strings.CutPrefix(sel, labelSelector); ok {
		return slices.ContainsFunc(a.Labels, func(l string) bool {
			return l == want || (!strings.Contains(want, "=") && strings.HasPrefix(l, want+"="))
		})
	}
	return sel == a.ID || strings.EqualFold(sel, a.Name)
}

// fimSeverity returns the severity of path under rules: the first rule
// whose pattern matches, else medium.
func fimSeverity(rules []store.FIMSeverityRule) func(path string) string {
	return func(path string) string {
		for _, r := range rules {
			if fim.MatchPath(r.Pattern, path) {
				return r.Severity
			}
		}
		return store.FIMMedium
	}
}

// wireFIMPolicy is p as an agent is sent it.
func wireFIMPolicy(p store.FIMPolicy) wire.FIMPolicy {
	return wire.FIMPolicy{
		ID: p.ID, Revision: p.Revision, Paths: p.Paths, Exclude: p.Exclude, Attributes: p.Attributes,
		Interval: wire.Duration(p.Interval), ScanRequest: p.ScanRequest,
		FullRehashEvery: p.FullRehashEvery, IOLimitMBps: p.IOLimitMBps,
	}
}

// fimAssignments returns the policies agentID scans, for the gateway
// (Config.FIM), which keeps the answer until the next Notify. An agent
// with policies but no FIM monitor yet (it just joined, or got a label)
// has one made by the next reconciliation, started here.
func (s *Server) fimAssignments(agentID string) []wire.FIMPolicy {
	a, err := s.db.Agent(agentID)
	if err != nil {
		s.log.Warn("file integrity assignments: read agent", "agent", agentID, "err", err)
		return nil
	}
	var out []wire.FIMPolicy
	for _, p := range s.fim.forAgent(a) {
		wp := wireFIMPolicy(p)
		if err := wp.Validate(); err != nil {
			s.log.Warn("file integrity policy not assigned: invalid for the agent protocol", "policy", p.ID, "err", err)
			continue
		}
		out = append(out, wp)
		if len(out) == wire.MaxFIMPolicies {
			s.log.Warn("agent has more file integrity policies than the protocol carries; the rest are not scanned", "agent", agentID, "max", wire.MaxFIMPolicies)
			break
		}
	}
	if len(out) > 0 && !s.fimMonitors.has(agentID) {
		s.fimMonitors.kick()
	}
	return out
}
