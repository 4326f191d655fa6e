package gateway

import (
	"errors"
	"net/http"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// ErrPolicyGone is what Config.FIMReport wraps when the report's policy
// is not (or no longer, or not in that revision) assigned to the agent.
var ErrPolicyGone = errors.New("the file integrity policy is not assigned to this agent")

// handleFIMReport serves wire.PathFIMReport: one report of a scan, for a
// policy the agent's assignments hold in the report's revision, committed
// in one transaction and only then acknowledged. A policy the agent does
// not hold (deleted, no longer for this agent, edited since the scan
// began) is answered 410, and the agent stops that scan; its next
// assignments say what to scan instead.
func (g *Gateway) handleFIMReport(w http.ResponseWriter, r *http.Request, a store.Agent) error {
	rep := &wire.FIMReport{}
	if err := decode(r, wire.MaxFIMReportBody, rep); err != nil {
		return err
	}
	if rev, ok := g.assignments(a.ID).fimRevs[rep.PolicyID]; !ok || rev != rep.Revision {
		return failf(wire.CodePolicyGone, "file integrity policy %s (revision %s) is not assigned to this agent: stop its scan", rep.PolicyID, rep.Revision)
	}
	st := g.state(a.ID)
	st.fimCommit.Lock()
	defer st.fimCommit.Unlock()
	err := g.cfg.FIMReport(r.Context(), a.ID, rep)
	switch {
	case errors.Is(err, ErrPolicyGone):
		return failf(wire.CodePolicyGone, "file integrity policy %s (revision %s) is not assigned to this agent: stop its scan", rep.PolicyID, rep.Revision)
	case err != nil:
		g.log.Warn("file integrity report not committed", "agent", a.ID, "policy", rep.PolicyID, "scan", rep.Scan, "seq", rep.Seq, "err", err)
		return failf(wire.CodeUnavailable, "the report could not be stored; send it again later")
	}
	g.noteFIMProgress(a.ID, rep)
	g.writeMessage(w, http.StatusOK, &wire.FIMAck{PolicyID: rep.PolicyID, Scan: rep.Scan, Seq: rep.Seq})
	return nil
}
