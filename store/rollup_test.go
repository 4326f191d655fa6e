package store

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// wantRollups aggregates rs per period, as Rollups must.
func wantRollups(rs []checks.Result, period time.Duration, since, until time.Time) []Rollup {
	type key struct {
		start time.Time
		loc   string
	}
	agg := map[key]*Rollup{}
	sum := map[key]float64{}
	n := map[key]float64{}
	for _, r := range rs {
		at := r.At.Truncate(time.Millisecond)
		k := key{at.Truncate(period), r.Location}
		if k.start.Before(since) || !k.start.Before(until) {
			continue
		}
		lat := math.Round(r.LatencyMS*100) / 100
		ru, ok := agg[k]
		if !ok {
			ru = &Rollup{Start: k.start, Location: k.loc, MinMS: lat, MaxMS: lat}
			agg[k] = ru
		}
		ru.MinMS, ru.MaxMS = min(ru.MinMS, lat), max(ru.MaxMS, lat)
		sum[k] += lat
		n[k]++
		switch r.Status {
		case checks.StatusOK:
			ru.OK++
		case checks.StatusWarning:
			ru.Warning++
		case checks.StatusProblem:
			ru.Problem++
		}
	}
	out := []Rollup{}
	for k, ru := range agg {
		ru.AvgMS = sum[k] / n[k]
		out = append(out, *ru)
	}
	slices.SortFunc(out, func(a, b Rollup) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Location, b.Location)
	})
	return out
}

func sameRollups(t *testing.T, got, want []Rollup) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rollups, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Start.Equal(w.Start) || g.Location != w.Location || g.OK != w.OK || g.Warning != w.Warning ||
			g.Problem != w.Problem || math.Abs(g.MinMS-w.MinMS) > 1e-9 || math.Abs(g.MaxMS-w.MaxMS) > 1e-9 ||
			math.Abs(g.AvgMS-w.AvgMS) > 1e-6 {
			t.Fatalf("rollup %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestCompactRollupsExact(t *testing.T) {
	// 3 h 10 min of results every 20 s from two locations.
	rs := genResults(seriesBase.Add(-10*time.Second), 570, 20*time.Second, "server", "agent")
	now := seriesBase.Add(3*time.Hour + 5*time.Minute + 30*time.Second)
	tests := []struct {
		name  string
		every time.Duration // Compact called this often up to now; 0: once
	}{
		{"once", 0},
		{"every minute", time.Minute},
		{"every 17 minutes", 17 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSeriesDB(t, t.TempDir())
			appended := 0
			for at := seriesBase; tt.every > 0 && at.Before(now); at = at.Add(tt.every) {
				for appended < len(rs) && rs[appended].At.Before(at) {
					appendAll(t, db, "1", rs[appended:appended+1], 1)
					appended++
				}
				if _, err := db.Compact(context.Background(), at, DefaultRetention); err != nil {
					t.Fatal(err)
				}
			}
			appendAll(t, db, "1", rs[appended:], 1000)
			if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
				t.Fatal(err)
			}
			minuteEnd, hourEnd := now.Truncate(time.Minute), now.Truncate(time.Hour)
			got, err := db.Rollups("1", TierMinute, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			sameRollups(t, got, wantRollups(rs, time.Minute, time.Time{}, minuteEnd))
			got, err = db.Rollups("1", TierHour, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			sameRollups(t, got, wantRollups(rs, time.Hour, time.Time{}, hourEnd))
			// A window, and idempotence: compacting again writes nothing.
			from, to := seriesBase.Add(50*time.Minute), seriesBase.Add(70*time.Minute)
			got, _ = db.Rollups("1", TierMinute, from, to)
			sameRollups(t, got, wantRollups(rs, time.Minute, from, to))
			st, err := db.Compact(context.Background(), now, DefaultRetention)
			if err != nil || st != (CompactStats{}) {
				t.Fatalf("second compact: %+v, %v; want nothing done", st, err)
			}
		})
	}
}

func TestCompactLateResults(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 240, 30*time.Second, "server", "agent") // 2 h
	var server, agent []checks.Result
	for _, r := range rs {
		if r.Location == "server" {
			server = append(server, r)
		} else {
			agent = append(agent, r)
		}
	}
	// The agent delivers its first 20 minutes, goes away, the server
	// compacts past them, then the agent replays its spool.
	appendAll(t, db, "1", agent[:40], 1000)
	appendAll(t, db, "1", server, 1000)
	now := seriesBase.Add(2*time.Hour + time.Minute)
	if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	appendAll(t, db, "1", agent[30:], 50)
	st, err := db.Compact(context.Background(), now, DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	if st.RollupsWritten == 0 {
		t.Fatal("late results rebuilt no rollups")
	}
	for _, tier := range []struct {
		tier   Tier
		period time.Duration
	}{{TierMinute, time.Minute}, {TierHour, time.Hour}} {
		got, err := db.Rollups("1", tier.tier, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		sameRollups(t, got, wantRollups(rs, tier.period, time.Time{}, now.Truncate(tier.period)))
	}
}

func TestRollupsErrors(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	if _, err := db.Rollups("1", Tier(9), time.Time{}, time.Time{}); err == nil {
		t.Error("unknown tier accepted")
	}
	got, err := db.Rollups("nope", TierHour, time.Time{}, time.Time{})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("unknown monitor: %v, %v; want empty, nil", got, err)
	}
}
