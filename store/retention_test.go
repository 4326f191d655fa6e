package store

import (
	"context"
	"testing"
	"time"
)

func TestCompactPrunesAtRetentionEdges(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	// Three days of results every minute from one location.
	rs := genResults(seriesBase, 3*24*60, time.Minute, "server")
	appendAll(t, db, "1", rs, 2000)
	r := Retention{Raw: 5 * time.Hour, Minute: 20 * time.Hour, Hour: 40 * time.Hour}
	now := seriesBase.Add(3*24*time.Hour + 7*time.Minute + 30*time.Second)
	before, _ := db.SeriesStats()
	st, err := db.Compact(context.Background(), now, r)
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksDeleted == 0 || st.RollupsDeleted == 0 || st.RollupsWritten == 0 {
		t.Fatalf("stats %+v: want rollups written and every tier pruned", st)
	}
	after, _ := db.SeriesStats()
	if after.Chunks != before.Chunks-int64(st.ChunksDeleted) {
		t.Fatalf("chunks %d -> %d, but %d reported deleted", before.Chunks, after.Chunks, st.ChunksDeleted)
	}

	// Raw: everything from the cut on is kept, nothing older than a
	// chunk's span before it.
	rawCut := now.Add(-r.Raw).Truncate(time.Minute)
	got, _ := db.Results("1", ResultQuery{})
	sameResults(t, got[len(got)-len(wantResults(rs, ResultQuery{Since: rawCut})):], wantResults(rs, ResultQuery{Since: rawCut}))
	if oldest := got[0].At; oldest.Before(rawCut.Add(-chunkSpan)) {
		t.Fatalf("oldest raw result %v is more than a chunk span before the cut %v", oldest, rawCut)
	}
	tiers := []struct {
		name   string
		tier   Tier
		period time.Duration
		cut    time.Time
	}{
		{"minute", TierMinute, time.Minute, now.Add(-r.Minute).Truncate(time.Hour)},
		{"hour", TierHour, time.Hour, now.Add(-r.Hour).Truncate(24 * time.Hour)},
	}
	for _, tt := range tiers {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Rollups("1", tt.tier, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			sameRollups(t, got, wantRollups(rs, tt.period, tt.cut, now.Truncate(tt.period)))
		})
	}
	// Pruned results do not come back: a replay older than the raw cut is
	// dropped.
	appendAll(t, db, "1", rs[:10], 10)
	if again, _ := db.Results("1", ResultQuery{}); len(again) != len(got) {
		t.Fatalf("replayed old results stored: %d results, want %d", len(again), len(got))
	}
	if st, _ := db.Compact(context.Background(), now, r); st != (CompactStats{}) {
		t.Fatalf("second compact did %+v, want nothing", st)
	}
}

func TestCompactSmallTransactions(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	// 1,200 chunks (one result each, three hours apart) to prune: more
	// than one transaction's budget.
	rs := genResults(seriesBase, 1200, 3*time.Hour, "server")
	appendAll(t, db, "1", rs, 5000)
	now := rs[len(rs)-1].At.Add(48 * time.Hour)
	st, err := db.Compact(context.Background(), now, Retention{Raw: time.Hour, Minute: time.Hour, Hour: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksDeleted != 1200 || st.RollupsDeleted != 2*1200 {
		t.Fatalf("stats %+v, want 1200 chunks and 2400 rollups deleted", st)
	}
	if s, _ := db.SeriesStats(); s.Chunks != 0 {
		t.Fatalf("%d chunks left", s.Chunks)
	}
}

func TestRetentionNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   Retention
		ok   bool
	}{
		{"zero is default", Retention{}, true},
		{"default", DefaultRetention, true},
		{"raw longer than minute", Retention{Raw: 48 * time.Hour, Minute: time.Hour}, false},
		{"minute longer than hour", Retention{Minute: 100 * 24 * time.Hour, Hour: 99 * 24 * time.Hour}, false},
		{"raw under a minute", Retention{Raw: time.Second}, false},
		{"negative notification log", Retention{NotificationLog: -time.Hour}, false},
		{"notification log a day", Retention{NotificationLog: 24 * time.Hour}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.normalize()
			if (err == nil) != tt.ok {
				t.Fatalf("normalize(%+v) = %v, want ok %v", tt.in, err, tt.ok)
			}
		})
	}
}
