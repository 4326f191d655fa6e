package gateway

import (
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// batchAt is a ResultBatch validated against the gateway's clock rather
// than time.Now, which wire.Decode would use. It embeds the batch, so
// wire.Decode still takes the batch's fast decoder.
type batchAt struct {
	*wire.ResultBatch
	now time.Time
}

// Validate checks the batch against b.now.
func (b batchAt) Validate() error { return b.ValidateAt(b.now) }

// handleResults serves wire.PathResults: it keeps the results of the
// monitors assigned to the agent, stamped with the agent's id as their
// location, commits them, and only then acknowledges the batch.
func (g *Gateway) handleResults(w http.ResponseWriter, r *http.Request, a store.Agent) error {
	batch := batchAt{ResultBatch: &wire.ResultBatch{}, now: g.cfg.Now()}
	if err := decode(r, wire.MaxResultsBody, batch); err != nil {
		return err
	}
	kept := g.assigned(a.ID, batch.Results)
	st := g.state(a.ID)
	st.commit.Lock()
	defer st.commit.Unlock()
	if len(kept) > 0 {
		if err := g.cfg.Commit(r.Context(), kept); err != nil {
			g.log.Warn("agent results not committed", "agent", a.ID, "seq", batch.Seq, "err", err)
			return failf(wire.CodeUnavailable, "the results could not be stored; send them again later")
		}
	}
	g.writeMessage(w, http.StatusOK, &wire.ResultAck{
		Seq: batch.Seq, Accepted: len(kept), Dropped: len(batch.Results) - len(kept),
	})
	return nil
}

// assigned returns the results of monitors assigned to agentID, as store
// results located at the agent.
func (g *Gateway) assigned(agentID string, results []wire.MonitorResult) []store.MonitorResult {
	ids := g.assignments(agentID).ids
	kept := make([]store.MonitorResult, 0, len(results))
	for _, mr := range results {
		if !ids[mr.MonitorID] {
			continue
		}
		res := mr.Result
		res.Location = agentID
		kept = append(kept, store.MonitorResult{MonitorID: mr.MonitorID, Result: res})
	}
	return kept
}

var _ wire.Validator = batchAt{}
