package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	bolt "go.etcd.io/bbolt"
)

// damage rewrites the value under the nth key (-1: the last) of one tier
// bucket of monitor id's series with change, as a flipped bit on disk
// would, and returns the key and the damaged bytes.
func damage(t *testing.T, db *DB, id string, tier []byte, nth int, change func([]byte) []byte) (key, val []byte) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeries).Bucket([]byte(id)).Bucket(tier)
		var keys [][]byte
		_ = b.ForEach(func(k, _ []byte) error { keys = append(keys, cloneBytes(k)); return nil })
		if nth < 0 {
			nth += len(keys)
		}
		key = keys[nth]
		val = change(cloneBytes(b.Get(key)))
		return b.Put(key, val)
	})
	if err != nil {
		t.Fatal(err)
	}
	return key, val
}

// damageOpen rewrites the chunk of location loc's open chunk of monitor id
// with change and returns the key it is moved aside under and the damaged
// chunk.
func damageOpen(t *testing.T, db *DB, id, loc string, change func([]byte) []byte) (key, val []byte) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := openSeries(tx.Bucket(bucketSeries), id, false)
		if err != nil {
			return err
		}
		o, ok, _ := s.open(loc)
		if !ok {
			return fmt.Errorf("no open chunk for %s/%s", id, loc)
		}
		idx, _, _ := s.locIndex(loc, false)
		key = seriesKey(idx, o.start)
		val = change(cloneBytes(o.chunk))
		o.chunk = val
		return s.hot.Put(openKey(id, loc), encodeOpen(o))
	})
	if err != nil {
		t.Fatal(err)
	}
	return key, val
}

// flipVersion makes a chunk or pack fail at its first byte.
func flipVersion(v []byte) []byte { v[0] ^= 0xff; return v }

// addTrailing makes a chunk decode all its points and then fail.
func addTrailing(v []byte) []byte { return append(v, 0x7f) }

// movedAside returns the value kept in the series' corrupt bucket.
func movedAside(t *testing.T, db *DB, id string, tier, key []byte) []byte {
	t.Helper()
	var v []byte
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		if cb := tx.Bucket(bucketSeries).Bucket([]byte(id)).Bucket(bucketCorrupt); cb != nil {
			if tb := cb.Bucket(tier); tb != nil {
				v = cloneBytes(tb.Get(key))
			}
		}
		return nil
	})
	return v
}

func TestAppendMovesCorruptChunkAside(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 300, 30*time.Second, "a", "b")
	appendAll(t, db, "1", rs[:100], 1000) // one open chunk per location
	appendAll(t, db, "2", rs[:100], 1000)
	key, bad := damageOpen(t, db, "1", "b", flipVersion)

	// One batch for both monitors: it commits, and both go on.
	var batch []MonitorResult
	for _, r := range rs[100:] {
		batch = append(batch, MonitorResult{"1", r}, MonitorResult{"2", r})
	}
	if err := db.AppendResults(batch); err != nil {
		t.Fatalf("append with a corrupt open chunk: %v", err)
	}
	if got := movedAside(t, db, "1", bucketRaw, key); !bytes.Equal(got, bad) {
		t.Fatalf("moved-aside bytes %x, want %x", got, bad)
	}
	got, err := db.Results("2", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, wantResults(rs, ResultQuery{}))
	// Monitor 1 lost exactly the damaged chunk's results.
	want := slices.Clone(rs)
	want = slices.DeleteFunc(want[:100], func(r checks.Result) bool { return r.Location == "b" })
	want = append(want, rs[100:]...)
	got, err = db.Results("1", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, wantResults(want, ResultQuery{}))
	st, err := db.SeriesStats()
	if err != nil || st.Corrupt != 1 || st.Results != int64(len(rs)+len(want)) {
		t.Fatalf("stats %+v, %v; want %d results and one corrupt chunk", st, err, len(rs)+len(want))
	}
}

// rawStarts returns the start times of monitor id's raw chunks.
func rawStarts(t *testing.T, db *DB, id string) []time.Time {
	t.Helper()
	var out []time.Time
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeries).Bucket([]byte(id)).Bucket(bucketRaw).ForEach(func(k, _ []byte) error {
			_, ms, _ := parseSeriesKey(k)
			out = append(out, time.UnixMilli(ms).UTC())
			return nil
		})
	})
	return out
}

func TestQueriesSkipCorruptValues(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 600, 30*time.Second, "a") // ten chunks, the last open
	for _, id := range []string{"1", "2", "3"} {
		appendAll(t, db, id, rs, 1000)
	}
	now := rs[len(rs)-1].At.Add(time.Hour)
	if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	damage(t, db, "1", bucketRaw, 1, flipVersion)
	damage(t, db, "1", bucketMinute, 0, flipVersion) // the first hour
	damage(t, db, "2", bucketRaw, 1, addTrailing)    // decodes its points, then fails
	damageOpen(t, db, "3", "a", flipVersion)

	starts := rawStarts(t, db, "1")
	var first, third []checks.Result // the first chunk, the third and after
	for _, r := range rs {
		if r.At.Before(starts[1]) {
			first = append(first, r)
		} else if !r.At.Before(starts[2]) {
			third = append(third, r)
		}
	}
	tests := []struct {
		name string
		id   string
		q    ResultQuery
		want []checks.Result
	}{
		{"oldest", "1", ResultQuery{}, slices.Concat(first, third)},
		{"oldest limited", "1", ResultQuery{Limit: len(first) + 10}, slices.Concat(first, third[:10])},
		{"newest limited", "1", ResultQuery{Limit: len(third) + 10, Newest: true}, slices.Concat(first[len(first)-10:], third)},
		{"oldest, fails at its end", "2", ResultQuery{}, slices.Concat(first, third)},
		{"newest, fails at its end", "2", ResultQuery{Limit: len(third) + 10, Newest: true}, slices.Concat(first[len(first)-10:], third)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Results(tt.id, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, got, tt.want)
		})
	}
	t.Run("rollups", func(t *testing.T) {
		got, err := db.Rollups("1", TierMinute, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		sameRollups(t, got, wantRollups(rs, time.Minute, seriesBase.Add(time.Hour), now.Truncate(time.Minute)))
	})
	t.Run("last results", func(t *testing.T) {
		last, err := db.LastResults()
		if err != nil {
			t.Fatal(err)
		}
		sameResults(t, last["1"], rs[599:])
		if len(last["3"]) != 0 {
			t.Fatalf("last results of monitor 3 = %v, want none (its last chunk is corrupt)", last["3"])
		}
	})
}

func TestCompactGoesOnPastCorruptSeries(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 600, 30*time.Second, "a", "b") // 5 h
	for _, id := range []string{"1", "2", "3"} {
		appendAll(t, db, id, rs, 1000)
	}
	mid := seriesBase.Add(2*time.Hour + 30*time.Minute)
	if _, err := db.Compact(context.Background(), mid, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	// Monitor 1: location a's fifth raw chunk (from 10:08), read for the
	// minute rollups from 10:30. Monitor 2: location a's minute pack of
	// 10:00, which the next Compact completes, and location b's pack of
	// 08:00, read again for the hour rollups as after an interrupted
	// Compact (its hour watermark put back).
	damage(t, db, "1", bucketRaw, 4, flipVersion)
	damage(t, db, "2", bucketMinute, 2, flipVersion)
	damage(t, db, "2", bucketMinute, 3, flipVersion)
	// Monitor 4: a series whose raw bucket is a plain value, which no
	// Compact can open.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := openSeries(tx.Bucket(bucketSeries), "2", false)
		if err != nil {
			return err
		}
		m := s.marks(1)
		m.hour = seriesBase.UnixMilli()
		if err := s.setMarks(1, m); err != nil {
			return err
		}
		b, err := tx.Bucket(bucketSeries).CreateBucket([]byte("4"))
		if err != nil {
			return err
		}
		return b.Put(bucketRaw, []byte("x"))
	})
	if err != nil {
		t.Fatal(err)
	}
	now := rs[len(rs)-1].At.Add(2 * time.Hour)
	st, err := db.Compact(context.Background(), now, DefaultRetention)
	if err != nil {
		t.Fatalf("compact with corrupt series: %v", err)
	}
	if st.Broken != 4 {
		t.Fatalf("stats %+v, want 4 broken", st)
	}
	for _, tier := range []struct {
		tier   Tier
		period time.Duration
	}{{TierMinute, time.Minute}, {TierHour, time.Hour}} {
		got, err := db.Rollups("3", tier.tier, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		sameRollups(t, got, wantRollups(rs, tier.period, time.Time{}, now.Truncate(tier.period)))
	}
	if s, _ := db.SeriesStats(); s.Corrupt != 3 {
		t.Fatalf("series stats %+v, want 3 corrupt", s)
	}
	if st, err := db.Compact(context.Background(), now, DefaultRetention); err != nil || st != (CompactStats{Broken: 1}) {
		t.Fatalf("compact again: %+v, %v; want only the unreadable series skipped", st, err)
	}
}

func TestCompactManyLocations(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	locs := make([]string, 300)
	for i := range locs {
		locs[i] = fmt.Sprintf("agent-%03d", i)
	}
	rs := genResults(seriesBase, 150, time.Minute, locs...) // 2.5 h each
	appendAll(t, db, "1", rs, 10000)
	now := seriesBase.Add(3 * time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := db.Compact(ctx, now, DefaultRetention)
	if err != nil {
		t.Fatalf("compact: %v (stats %+v)", err, st)
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
	// Idle, the 300 locations fit in one pass that writes nothing.
	if st, err := db.Compact(ctx, now.Add(30*time.Second), DefaultRetention); err != nil || st != (CompactStats{}) {
		t.Fatalf("idle compact: %+v, %v", st, err)
	}
}

func TestCompactCancelled(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	appendAll(t, db, "1", genResults(seriesBase, 100, time.Minute, "a"), 1000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Compact(ctx, seriesBase.Add(3*time.Hour), DefaultRetention); !errors.Is(err, context.Canceled) {
		t.Fatalf("compact with a cancelled context: %v, want context.Canceled", err)
	}
	// Nothing was done, so a later Compact does it all.
	st, err := db.Compact(context.Background(), seriesBase.Add(3*time.Hour), DefaultRetention)
	if err != nil || st.RollupsWritten == 0 {
		t.Fatalf("compact after cancel: %+v, %v", st, err)
	}
}

func TestAppendDropsDeletedMonitor(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	gone, kept := &Monitor{Name: "gone"}, &Monitor{Name: "kept"}
	for _, m := range []*Monitor{gone, kept} {
		if err := db.CreateMonitor(m, testActor); err != nil {
			t.Fatal(err)
		}
	}
	rs := genResults(seriesBase, 10, time.Minute, "a")
	appendAll(t, db, gone.ID, rs[:5], 100)
	if err := db.DeleteMonitor(gone.ID, testActor); err != nil {
		t.Fatal(err)
	}
	// Results still queued for the deleted monitor, one never created and
	// a malformed id, with the living monitor's.
	var batch []MonitorResult
	for _, r := range rs[5:] {
		batch = append(batch, MonitorResult{gone.ID, r}, MonitorResult{"99", r}, MonitorResult{"x", r}, MonitorResult{kept.ID, r})
	}
	if err := db.AppendResults(batch); err != nil {
		t.Fatal(err)
	}
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range []string{gone.ID, "99", "x"} {
			if tx.Bucket(bucketSeries).Bucket([]byte(id)) != nil {
				t.Errorf("series of monitor %q created", id)
			}
		}
		return nil
	})
	got, err := db.Results(kept.ID, ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, rs[5:])
}
