package store

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

// openChunks returns the number of points in each open chunk, by key.
func openChunks(t *testing.T, db *DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeriesOpen).ForEach(func(k, v []byte) error {
			o, err := decodeOpen(v)
			if err != nil {
				return err
			}
			n, err := chunk.Count(o.chunk)
			out[string(k)] = n
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawCounts returns the number of points of each raw chunk of monitor id.
func rawCounts(t *testing.T, db *DB, id string) []int {
	t.Helper()
	var out []int
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeries).Bucket([]byte(id)).Bucket(bucketRaw).ForEach(func(_, v []byte) error {
			n, _ := chunk.Count(v)
			out = append(out, n)
			return nil
		})
	})
	return out
}

func TestOpenChunkMovesOnClose(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		interval time.Duration
		batch    int
		raw      []int // points per raw chunk, oldest first
		open     int   // points in the open chunk
	}{
		{"under the cap", chunkMaxPoints - 1, 10 * time.Second, 7, nil, chunkMaxPoints - 1},
		{"at the cap", chunkMaxPoints, 10 * time.Second, 1, nil, chunkMaxPoints},
		{"one past the cap", chunkMaxPoints + 1, 10 * time.Second, 1000, []int{chunkMaxPoints}, 1},
		{"closed by count in one batch", 2*chunkMaxPoints + 5, 10 * time.Second, 1000, []int{chunkMaxPoints, chunkMaxPoints}, 5},
		{"closed by span", 5, 3 * time.Hour, 1, []int{1, 1, 1, 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSeriesDB(t, t.TempDir())
			rs := genResults(seriesBase, tt.n, tt.interval, "a")
			appendAll(t, db, "7", rs, tt.batch)
			if got := rawCounts(t, db, "7"); !equalInts(got, tt.raw) {
				t.Errorf("raw chunks hold %v points, want %v", got, tt.raw)
			}
			if got := openChunks(t, db); len(got) != 1 || got[string(openKey("7", "a"))] != tt.open {
				t.Errorf("open chunks %v, want %d points for 7/a", got, tt.open)
			}
			got, err := db.Results("7", ResultQuery{})
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, got, rs)
			newest, err := db.Results("7", ResultQuery{Limit: 3, Newest: true})
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, newest, rs[len(rs)-3:])
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOpenChunkAfterOldLayout continues a store written before open chunks
// were kept apart: its newest raw chunk, still open then, stays in the
// monitor's raw bucket, a replay of it is dropped, and newer results start
// an open chunk.
func TestOpenChunkAfterOldLayout(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	seedMonitors(t, db, "1")
	rs := genResults(seriesBase, 50, 10*time.Second, "a")
	old := rs[:30]
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := openSeries(tx.Bucket(bucketSeries), "1", true)
		if err != nil {
			return err
		}
		idx, _, err := s.locIndex("a", true)
		if err != nil {
			return err
		}
		pts := make([]chunk.Point, len(old))
		for i, r := range old {
			pts[i] = toPoint(r)
		}
		b, err := chunk.Encode(pts)
		if err != nil {
			return err
		}
		return s.raw.Put(seriesKey(idx, pts[0].T), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, db, "1", rs[20:], 7) // ten results replayed
	if got := rawCounts(t, db, "1"); !equalInts(got, []int{30}) {
		t.Errorf("raw chunks hold %v points, want [30]", got)
	}
	if got := openChunks(t, db); got[string(openKey("1", "a"))] != 20 {
		t.Errorf("open chunks %v, want 20 points", got)
	}
	got, err := db.Results("1", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, rs)
	last, err := db.LastResults()
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, last["1"], rs[49:])
}

// TestCompactTakesLateOpenResults: a result older than the minute Compact
// already rolled up lands in the open chunk; the next Compact rebuilds
// that minute.
func TestCompactTakesLateOpenResults(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	at := func(s int) checks.Result {
		return checks.Result{At: seriesBase.Add(time.Duration(s) * time.Second), Location: "a", Status: checks.StatusOK, LatencyMS: float64(s)}
	}
	rs := []checks.Result{at(0), at(10), at(20), at(30), at(40)}
	appendAll(t, db, "1", rs, 10)
	now := seriesBase.Add(90 * time.Second)
	if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	rs = append(rs, at(55), at(70)) // 55 s: within the minute rolled up
	appendAll(t, db, "1", rs[5:], 10)
	if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	got, err := db.Rollups("1", TierMinute, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sameRollups(t, got, wantRollups(rs, time.Minute, time.Time{}, now.Truncate(time.Minute)))
	// The late mark was taken: a third Compact has nothing to rebuild.
	if st, err := db.Compact(context.Background(), now, DefaultRetention); err != nil || st.RollupsWritten != 0 {
		t.Fatalf("compact again: %+v, %v; want nothing rebuilt", st, err)
	}
}

// TestCompactClosesStaleOpenChunk: an open chunk whose results all fell
// past the raw tier's retention is closed and pruned, and a result older
// than the retention edge is then refused.
func TestCompactClosesStaleOpenChunk(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 10, 10*time.Second, "a")
	appendAll(t, db, "1", rs, 10)
	now := seriesBase.Add(DefaultRetention.Raw + 3*time.Hour)
	st, err := db.Compact(context.Background(), now, DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	if got := openChunks(t, db); len(got) != 0 {
		t.Fatalf("open chunks %v after retention, want none", got)
	}
	if st.ChunksDeleted != 1 {
		t.Fatalf("stats %+v, want the closed chunk pruned", st)
	}
	late := genResults(seriesBase.Add(time.Hour), 1, time.Second, "a")
	appendAll(t, db, "1", late, 1)
	if got, _ := db.Results("1", ResultQuery{}); len(got) != 0 {
		t.Fatalf("got %d results, want the one past retention refused", len(got))
	}
}

func TestDeleteSeriesDropsOpenChunks(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 3, time.Minute, "a", "b")
	appendAll(t, db, "1", rs, 10)
	appendAll(t, db, "11", rs, 10) // a longer id with the same first digit
	if err := db.DeleteSeries("1"); err != nil {
		t.Fatal(err)
	}
	got := openChunks(t, db)
	if len(got) != 2 || got[string(openKey("11", "a"))] != 3 || got[string(openKey("11", "b"))] != 3 {
		t.Fatalf("open chunks after delete %v, want only monitor 11's", got)
	}
}
