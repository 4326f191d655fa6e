package server

import (
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// An agent that stops scanning (its scanner stuck, the policy's root gone)
// reports no change, which looks exactly like a clean host. So the FIM
// monitor also warns when a policy's scans are late or fail at a root.

// fimStaleGrace is added to twice the interval before a scan is late:
// one missed scan is no alarm, nor a slow one.
const fimStaleGrace = 10 * time.Minute

// fimStale says why policy p's scans on agent a (state st) need a look,
// or "" when they do not: the last scan could not read a policy path, or
// no scan finished within 2×interval + 10 minutes (of the last one, or of
// the policy applying to the agent when none ever did).
func fimStale(p store.FIMPolicy, a store.Agent, st store.FIMAgentState, now time.Time) string {
	if len(st.RootErrors) > 0 {
		e := st.RootErrors[0]
		return fmt.Sprintf("policy %s: the last scan could not read %s: %s", quote(p.Name), e.Path, e.Error)
	}
	late := 2*p.Interval + fimStaleGrace
	if !st.LastScanAt.IsZero() {
		if now.Sub(st.LastScanAt) > late {
			return fmt.Sprintf("policy %s: no scan finished since %s", quote(p.Name), st.LastScanAt.UTC().Format(time.RFC3339))
		}
		return ""
	}
	// Never finished: count from when the policy could first apply.
	since := p.CreatedAt
	if a.CreatedAt.After(since) {
		since = a.CreatedAt
	}
	if !since.IsZero() && now.Sub(since) > late {
		return fmt.Sprintf("policy %s: no scan ever finished since it applied at %s", quote(p.Name), since.UTC().Format(time.RFC3339))
	}
	return ""
}

// fimStaleOf returns the stale reasons of every policy that applies to
// agentID, in policy order.
func (s *Server) fimStaleOf(agentID string, now time.Time) ([]string, error) {
	a, err := s.db.Agent(agentID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range s.fim.forAgent(a) {
		st, _, err := s.db.FIMAgentState(p.ID, agentID)
		if err != nil {
			return nil, err
		}
		if why := fimStale(p, a, st, now); why != "" {
			out = append(out, why)
		}
	}
	return out, nil
}
