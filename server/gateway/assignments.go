package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// assignment is what Config.Assignments answered for one agent, kept until
// the next Notify: every results batch checks its monitors against it, and
// a thousand agents' batches must not each walk every monitor.
type assignment struct {
	gen     uint64 // Gateway.gen when it was asked
	version string
	list    []wire.Assignment
	ids     map[string]bool
	fim     []wire.FIMPolicy
	fimRevs map[string]string // policy id → revision, for reports
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
	fim := g.cfg.FIM(agentID)
	a := &assignment{gen: gen, version: withFIMVersion(version, fim), list: list, ids: make(map[string]bool, len(list)),
		fim: fim, fimRevs: make(map[string]string, len(fim))}
	for _, m := range list {
		a.ids[m.ID] = true
	}
	for _, p := range fim {
		a.fimRevs[p.ID] = p.Revision
	}
	st.assignMu.Lock()
	if st.assign == nil || st.assign.gen <= gen {
		st.assign = a
	}
	st.assignMu.Unlock()
	return a
}

// withFIMVersion extends the monitors' version with a hash of the
// file-integrity policies, so a change of either is a new version. No
// policy keeps the version as it was.
func withFIMVersion(version string, fim []wire.FIMPolicy) string {
	if len(fim) == 0 {
		return version
	}
	data, err := json.Marshal(fim)
	if err != nil {
		return version // cannot happen: plain data
	}
	sum := sha256.Sum256(data)
	v := version + ".f" + hex.EncodeToString(sum[:8])
	if len(v) > wire.MaxVersionLen {
		// Too long to carry both: a hash of both stands for them.
		sum = sha256.Sum256([]byte(v))
		v = hex.EncodeToString(sum[:16])
	}
	return v
}
