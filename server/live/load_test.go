package live

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

var _ Source = (*store.DB)(nil)

// TestLoadFromStore writes three days of results into a real store, lets
// it build rollups, and checks that Load gives what Observe would have.
func TestLoadFromStore(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	live := store.Monitor{Name: "web", Type: "http", Target: "https://example.com", Interval: time.Minute, Locations: []string{"server", "eu"}}
	paused := store.Monitor{Name: "old", Type: "http", Target: "https://example.org", Interval: time.Minute, Paused: true}
	for _, m := range []*store.Monitor{&live, &paused} {
		if err := db.CreateMonitor(m, store.System); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC().Truncate(time.Minute).Add(-30 * time.Second)
	start := now.Add(-72 * time.Hour)
	var batch []store.MonitorResult
	for at, i := start, 0; !at.After(now); at, i = at.Add(10*time.Minute), i+1 {
		status := checks.StatusOK
		switch i % 7 {
		case 3:
			status = checks.StatusProblem
		case 5:
			status = checks.StatusWarning
		}
		batch = append(batch,
			store.MonitorResult{MonitorID: live.ID, Result: checks.Result{At: at, Location: "server", Status: status, LatencyMS: float64(i % 100)}},
			store.MonitorResult{MonitorID: live.ID, Result: checks.Result{At: at.Add(time.Second), Location: "eu", Status: checks.StatusOK, LatencyMS: 50}})
	}
	if err := db.AppendResults(batch); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := db.Compact(context.Background(), now, store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutMonitorStates([]store.MonitorState{{MonitorID: live.ID, Status: checks.StatusWarning}}); err != nil {
		t.Fatal(err)
	}

	want := newAt(&now)
	want.Observe(batch)
	want.SetStatus(live.ID, checks.StatusWarning)
	got := newAt(&now)
	if err := got.Load(db, []store.Monitor{live, paused}, now); err != nil {
		t.Fatal(err)
	}
	g, _ := got.Summary(live.ID)
	w, _ := want.Summary(live.ID)
	if g.Uptime24h != w.Uptime24h || g.Uptime30d != w.Uptime30d {
		t.Errorf("uptime from store 24h %.3f 30d %.3f, observed %.3f %.3f", g.Uptime24h, g.Uptime30d, w.Uptime24h, w.Uptime30d)
	}
	if g.Status != checks.StatusWarning {
		t.Errorf("status = %s, want the persisted warning", g.Status)
	}
	if !slices.Equal(g.Sparkline, w.Sparkline) {
		t.Errorf("sparkline from store %v, observed %v", g.Sparkline, w.Sparkline)
	}
	if len(g.Last) != 2 || !g.LastAt.Equal(w.LastAt) || g.LastLatencyMS != w.LastLatencyMS {
		t.Errorf("last %+v (at %v, %v ms), want 2 locations, at %v, %v ms", g.Last, g.LastAt, g.LastLatencyMS, w.LastAt, w.LastLatencyMS)
	}
	if p, _ := got.Summary(paused.ID); p.Status != checks.StatusPaused || p.Uptime24h != -1 {
		t.Errorf("paused monitor: %+v, want paused without data", p)
	}
}
