package server

import (
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// TestPerLocationAverage: "Average in range" is the mean latency of the
// points that got an answer; failed points (latency 0) do not pull it
// down, and a location whose points all failed has no average.
func TestPerLocationAverage(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ok := func(ms float64) ui.ChartPoint { return ui.ChartPoint{At: at, Min: ms, Avg: ms, Max: ms, Status: "ok"} }
	failed := ui.ChartPoint{At: at, Status: "problem", Failed: true}
	st := engine.State{MonitorState: store.MonitorState{Locations: map[string]store.LocationState{
		serverLocation: {Status: checks.StatusOK, Last: checks.Result{At: at, LatencyMS: 30}},
		"agent-1":      {Status: checks.StatusProblem, Last: checks.Result{At: at}},
	}}}
	for _, tc := range []struct {
		name   string
		points []ui.ChartPoint
		want   float64 // of agent-1; < 0 for none
	}{
		{"all answered", []ui.ChartPoint{ok(100), ok(200)}, 150},
		{"failed points left out", []ui.ChartPoint{ok(100), failed, ok(200), failed, failed}, 150},
		{"all failed", []ui.ChartPoint{failed, failed}, -1},
		{"no points", nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chart := ui.Chart{Series: []ui.ChartSeries{
				{Name: serverLocation, Points: []ui.ChartPoint{ok(30)}},
				{Name: "agent-1", Points: tc.points},
			}}
			rows := perLocation(st, chart, locationLabels{"agent-1": "edge-eu"})
			if len(rows) != 2 || rows[0].Name != "edge-eu" || rows[1].Name != serverLocation {
				t.Fatalf("rows %+v, want edge-eu and server", rows)
			}
			if got := rows[0].AvgLatency; got != tc.want {
				t.Errorf("edge-eu average %v, want %v", got, tc.want)
			}
			if got := rows[1].AvgLatency; got != 30 {
				t.Errorf("server average %v, want 30", got)
			}
		})
	}
}
