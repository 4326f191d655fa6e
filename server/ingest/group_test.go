package ingest

import (
	"testing"

	"github.com/vigil-monitor/vigil/store"
)

// TestNextGroupSize checks that a new group is sized like the last one,
// with room to spare, never beyond MaxBatch: agent batches of one result
// each made groups of a hundred or two, for which MaxBatch was far too
// much to allocate every transaction.
func TestNextGroupSize(t *testing.T) {
	w := New(nil, nil, Options{MaxBatch: 1000})
	tests := []struct {
		name             string
		results, waiting int
		minCap, maxCap   int
		minWait, maxWait int
	}{
		{name: "first group", minCap: 0, maxCap: 16, maxWait: 4},
		{name: "agent batches", results: 150, waiting: 140, minCap: 150, maxCap: 200, minWait: 140, maxWait: 180},
		{name: "a full batch", results: 1000, minCap: 1000, maxCap: 1000, maxWait: 4},
		{name: "a large Commit batch", results: 5000, waiting: 1, minCap: 1000, maxCap: 1000, minWait: 1, maxWait: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := group{results: make([]store.MonitorResult, tt.results), waiting: make([]waiter, tt.waiting)}
			g := w.nextGroup(prev)
			if len(g.results) != 0 || len(g.waiting) != 0 {
				t.Fatalf("next group is not empty: %d results, %d waiting", len(g.results), len(g.waiting))
			}
			if c := cap(g.results); c < tt.minCap || c > tt.maxCap {
				t.Errorf("room for %d results, want %d to %d", c, tt.minCap, tt.maxCap)
			}
			if c := cap(g.waiting); c < tt.minWait || c > tt.maxWait {
				t.Errorf("room for %d waiting batches, want %d to %d", c, tt.minWait, tt.maxWait)
			}
		})
	}
}
