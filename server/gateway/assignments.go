package gateway

import "github.com/vigil-monitor/vigil/internal/wire"

// assignment is what Config.Assignments answered for one agent, kept until
// the next Notify: every results batch checks its monitors against it, and
// a thousand agents' batches must not each walk every monitor.
type assignment struct {
	gen     uint64 // Gateway.gen when it was asked
	version string
	list    []wire.Assignment
	ids     map[string]bool
}

// Generation counts Notify calls. Config.Assignments may key its own
// caches on it: a change of generation is the only sign the gateway
// reads of a change in assignments.
func (g *Gateway) Generation() uint64 { return g.gen.Load() }

// assignments returns agentID's assignments, asking Config.Assignments
// only when none are kept from the current generation. The generation is
// read before asking, so an answer that a concurrent Notify made stale is
// kept as stale and asked again next time.
func (g *Gateway) assignments(agentID string) *assignment {
	st := g.state(agentID)
	gen := g.gen.Load()
	st.assignMu.Lock()
	if a := st.assign; a != nil && a.gen == gen {
		st.assignMu.Unlock()
		return a
	}
	st.assignMu.Unlock()
	version, list := g.cfg.Assignments(agentID)
	a := &assignment{gen: gen, version: version, list: list, ids: make(map[string]bool, len(list))}
	for _, m := range list {
		a.ids[m.ID] = true
	}
	st.assignMu.Lock()
	if st.assign == nil || st.assign.gen <= gen {
		st.assign = a
	}
	st.assignMu.Unlock()
	return a
}
