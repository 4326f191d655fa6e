package main

import (
	"context"
	"log/slog"
	"time"
)

// verdict is what the end of the run found.
type verdict struct {
	drained      bool  // every result made was acknowledged
	pending      int   // results still unacknowledged when the wait ended
	spotMonitors int   // monitors read back
	spotAcked    int   // acknowledged results of those monitors
	spotMissing  int   // of those, not returned by the API
	spotErr      error // the read-back itself failed
}

// drainLimit bounds the wait for the last results' acknowledgements.
const drainLimit = 2 * time.Minute

// verify waits until every agent's results were acknowledged (the checks
// have stopped), then reads the spot-checked monitors' results back and
// counts acknowledged ones the API does not return.
func verify(ctx context.Context, api *apiClient, agents []*simAgent, st *stats, since time.Time, log *slog.Logger) verdict {
	var v verdict
	deadline := time.Now().Add(drainLimit)
	for {
		v.pending = 0
		for _, a := range agents {
			a.mu.Lock()
			v.pending += len(a.pending)
			a.mu.Unlock()
		}
		if v.pending == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		sleep(ctx, 100*time.Millisecond)
	}
	v.drained = v.pending == 0
	log.Info("delivery drained", "pending", v.pending)
	for _, a := range agents {
		a.mu.Lock()
		spot := make(map[string][]int64, len(a.spot))
		for id, rs := range a.spot {
			for _, r := range rs {
				spot[id] = append(spot[id], r.At.UnixMilli())
			}
		}
		a.mu.Unlock()
		for id, ats := range spot {
			stored, err := api.results(ctx, id, a.id, since.Add(-time.Second))
			if err != nil {
				v.spotErr = err
				return v
			}
			have := make(map[int64]bool, len(stored))
			for _, r := range stored {
				have[r.At.UnixMilli()] = true
			}
			v.spotMonitors++
			v.spotAcked += len(ats)
			for _, at := range ats {
				if !have[at] {
					v.spotMissing++
				}
			}
		}
	}
	log.Info("read back", "monitors", v.spotMonitors, "acknowledged", v.spotAcked, "missing", v.spotMissing)
	return v
}
