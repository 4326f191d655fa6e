package live

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func res(id, loc string, at time.Time, s checks.Status, ms float64) store.MonitorResult {
	return store.MonitorResult{MonitorID: id, Result: checks.Result{At: at, Location: loc, Status: s, LatencyMS: ms, Message: string(s)}}
}

// newAt returns a cache whose clock reads *now.
func newAt(now *time.Time) *Cache {
	c := New()
	c.now = func() time.Time { return *now }
	return c
}

func TestUptimeWindows(t *testing.T) {
	tests := []struct {
		name        string
		results     func() []store.MonitorResult
		readAt      time.Duration // after t0
		want24, w30 float64
	}{
		{name: "no data", results: func() []store.MonitorResult { return nil }, want24: -1, w30: -1},
		{name: "ok and warning are up", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0, checks.StatusOK, 1), res("m", "s", t0.Add(time.Minute), checks.StatusWarning, 1),
				res("m", "s", t0.Add(2*time.Minute), checks.StatusProblem, 1), res("m", "s", t0.Add(3*time.Minute), checks.StatusOK, 1)}
		}, want24: 75, w30: 75},
		{name: "a failure 25 hours ago counts for 30 days only", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0, checks.StatusProblem, 1), res("m", "s", t0.Add(25*time.Hour), checks.StatusOK, 1)}
		}, readAt: 25 * time.Hour, want24: 100, w30: 50},
		{name: "reading a day later drops the day", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0, checks.StatusProblem, 1)}
		}, readAt: 24 * time.Hour, want24: -1, w30: 0},
		{name: "older than 30 days is gone", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0, checks.StatusProblem, 1), res("m", "s", t0.Add(719*time.Hour), checks.StatusOK, 1)}
		}, readAt: 720 * time.Hour, want24: 100, w30: 100},
		{name: "a late result within the window counts", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0.Add(48*time.Hour), checks.StatusOK, 1), res("m", "s", t0, checks.StatusProblem, 1)}
		}, readAt: 48 * time.Hour, want24: 100, w30: 50},
		{name: "status unknown is not counted", results: func() []store.MonitorResult {
			return []store.MonitorResult{res("m", "s", t0, checks.StatusOK, 1), res("m", "s", t0.Add(time.Second), checks.StatusUnknown, 1)}
		}, want24: 100, w30: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			c := newAt(&now)
			c.SetStatus("m", checks.StatusOK)
			c.Observe(tt.results())
			now = t0.Add(tt.readAt)
			s, ok := c.Summary("m")
			if !ok {
				t.Fatal("no summary")
			}
			if s.Uptime24h != tt.want24 || s.Uptime30d != tt.w30 {
				t.Errorf("uptime 24h %v 30d %v, want %v and %v", s.Uptime24h, s.Uptime30d, tt.want24, tt.w30)
			}
			// Observing at the read time must agree with reading ahead.
			c.Observe([]store.MonitorResult{res("other", "s", now, checks.StatusOK, 1)})
			c.mu.Lock()
			c.entries["m"].hours.advance(hourOf(now))
			c.mu.Unlock()
			if s2, _ := c.Summary("m"); s2.Uptime24h != s.Uptime24h || s2.Uptime30d != s.Uptime30d {
				t.Errorf("after advancing: 24h %v 30d %v, want %v and %v", s2.Uptime24h, s2.Uptime30d, s.Uptime24h, s.Uptime30d)
			}
		})
	}
}

// TestRingAgainstRecount compares the running sums with a plain recount
// over a long random-ish walk through time.
func TestRingAgainstRecount(t *testing.T) {
	var r hours
	type point struct {
		h  int64
		up bool
	}
	var all []point
	h := int64(500000)
	for i := range 5000 {
		h += int64(i*7919%5) - 1 // mostly forward, sometimes back one hour
		if i%997 == 0 {
			h += 30 // a gap longer than a day
		}
		p := point{h: h, up: i%3 != 0}
		all = append(all, p)
		b := bucket{total: 1}
		if p.up {
			b.up = 1
		}
		r.add(p.h, b)
		for _, probe := range []int64{r.head, r.head + 1, r.head + 23, r.head + 100} {
			day, month := r.at(probe)
			var wd, wm bucket
			for _, q := range all {
				if q.h <= probe && q.h > probe-ringHours && q.h > r.head-ringHours {
					wm.total++
					if q.up {
						wm.up++
					}
					if q.h > probe-dayHours {
						wd.total++
						if q.up {
							wd.up++
						}
					}
				}
			}
			if day != wd || month != wm {
				t.Fatalf("step %d at hour %d (head %d): day %+v month %+v, recount %+v %+v", i, probe, r.head, day, month, wd, wm)
			}
		}
	}
}

func TestSummaryContents(t *testing.T) {
	now := t0.Add(time.Hour)
	c := newAt(&now)
	var batch []store.MonitorResult
	for i := range 40 {
		batch = append(batch, res("m", "b", t0.Add(time.Duration(i)*time.Minute), checks.StatusOK, float64(i)))
	}
	batch = append(batch, res("m", "a", t0.Add(5*time.Minute), checks.StatusProblem, math.NaN()))
	c.Observe(batch)
	c.SetStatus("m", checks.StatusWarning)
	s, _ := c.Summary("m")
	if s.Status != checks.StatusWarning {
		t.Errorf("status = %s, want warning", s.Status)
	}
	if len(s.Last) != 2 || s.Last[0].Location != "a" || s.Last[1].Location != "b" || s.Last[1].LatencyMS != 39 {
		t.Errorf("last = %+v, want a then b (39 ms)", s.Last)
	}
	if want := t0.Add(39 * time.Minute); !s.LastAt.Equal(want) || s.Newest.Location != "b" || s.LastLatencyMS != 39 {
		t.Errorf("last check %v from %q (%v ms), want %v from b (39 ms)", s.LastAt, s.Newest.Location, s.LastLatencyMS, want)
	}
	wantSpark := []float64{}
	for i := 11; i < 40; i++ {
		wantSpark = append(wantSpark, float64(i))
	}
	wantSpark = append(wantSpark, 0) // the NaN latency
	if !slices.Equal(s.Sparkline, wantSpark) {
		t.Errorf("sparkline = %v, want %v", s.Sparkline, wantSpark)
	}
	// The summary is a copy.
	s.Sparkline[0], s.Last[0].Location = -1, "x"
	if again, _ := c.Summary("m"); again.Sparkline[0] != 11 || again.Last[0].Location != "a" {
		t.Error("changing a returned summary changed the cache")
	}
	c.Remove("m")
	if _, ok := c.Summary("m"); ok {
		t.Error("summary kept after Remove")
	}
}

func TestUpsert(t *testing.T) {
	tests := []struct {
		name   string
		before checks.Status // "" = monitor not known yet
		paused bool
		want   checks.Status
	}{
		{name: "new monitor is unknown", paused: false, want: checks.StatusUnknown},
		{name: "new paused monitor", paused: true, want: checks.StatusPaused},
		{name: "pausing", before: checks.StatusProblem, paused: true, want: checks.StatusPaused},
		{name: "resuming", before: checks.StatusPaused, paused: false, want: checks.StatusUnknown},
		{name: "editing keeps the status", before: checks.StatusWarning, paused: false, want: checks.StatusWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			if tt.before != "" {
				c.SetStatus("m", tt.before)
			}
			c.Upsert(store.Monitor{ID: "m", Paused: tt.paused})
			s, ok := c.Summary("m")
			if !ok || s.Status != tt.want || s.LastLatencyMS != -1 || s.Uptime24h != -1 {
				t.Errorf("summary = %+v, want status %s with no data", s, tt.want)
			}
		})
	}
}

func TestAllCopies(t *testing.T) {
	now := t0
	c := newAt(&now)
	for i := range 50 {
		id := fmt.Sprint(i)
		var batch []store.MonitorResult
		for j := range i % 35 {
			batch = append(batch, res(id, fmt.Sprint("loc", j%3), t0.Add(time.Duration(j)*time.Second), checks.StatusOK, float64(i)))
		}
		c.Observe(batch)
		c.SetStatus(id, checks.StatusOK)
	}
	all := c.All()
	if len(all) != 50 {
		t.Fatalf("All returned %d, want 50", len(all))
	}
	for _, s := range all {
		one, _ := c.Summary(s.MonitorID)
		if fmt.Sprint(one) != fmt.Sprint(s) {
			t.Fatalf("All and Summary disagree for %s:\n%+v\n%+v", s.MonitorID, s, one)
		}
		// Appending to one summary's slices must not touch another's.
		_ = append(s.Sparkline, -5)
		_ = append(s.Last, checks.Result{Location: "zzz"})
	}
	for _, s := range all {
		if slices.Contains(s.Sparkline, -5) || slices.ContainsFunc(s.Last, func(r checks.Result) bool { return r.Location == "zzz" }) {
			t.Fatalf("summary %s was changed through another's slice", s.MonitorID)
		}
	}
}

// BenchmarkAll measures copying out 10,000 monitors' summaries, each with
// two locations and a full sparkline.
func BenchmarkAll(b *testing.B) {
	now := t0.Add(30 * 24 * time.Hour)
	c := newAt(&now)
	for i := range 10000 {
		id := fmt.Sprint(i)
		var batch []store.MonitorResult
		for j := range SparkLen {
			at := now.Add(-time.Duration(j) * time.Hour)
			batch = append(batch, res(id, "server", at, checks.StatusOK, 12), res(id, "eu", at, checks.StatusOK, 30))
		}
		c.Observe(batch)
	}
	b.ResetTimer()
	for b.Loop() {
		if len(c.All()) != 10000 {
			b.Fatal("wrong count")
		}
	}
}
