package store

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	bolt "go.etcd.io/bbolt"
)

var seriesBase = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func openSeriesDB(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// genResults makes n results per location, interval apart with a few ms
// of jitter, flapping statuses and messages and changing values.
func genResults(start time.Time, n int, interval time.Duration, locs ...string) []checks.Result {
	var out []checks.Result
	for i := range n {
		for j, loc := range locs {
			r := checks.Result{
				At:        start.Add(time.Duration(i)*interval + time.Duration((i*7+j*3)%11)*time.Millisecond),
				Location:  loc,
				Status:    checks.StatusOK,
				LatencyMS: 10 + float64((i*37+j*11)%500)/100,
				Message:   "200 OK",
				Values:    map[string]float64{"status_code": 200},
			}
			if i%17 == 5 {
				r.Status, r.Message, r.Values = checks.StatusProblem, "timeout", nil
			}
			if i%23 == 7 {
				r.Status, r.Values = checks.StatusWarning, map[string]float64{"status_code": 200, "cert_days": float64(i)}
			}
			out = append(out, r)
		}
	}
	return out
}

// putMonitor stores a bare monitor record under id (a decimal id) unless
// there is one, so AppendResults keeps its results.
func putMonitor(db *DB, id string) error {
	key, ok := idKey(id)
	if !ok {
		return fmt.Errorf("monitor id %q is not a record id", id)
	}
	exists := false
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		exists = tx.Bucket(bucketMonitors).Get(key) != nil
		return nil
	}); err != nil || exists {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketMonitors), key, Monitor{ID: id, Name: "m" + id})
	})
}

func seedMonitors(t testing.TB, db *DB, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := putMonitor(db, id); err != nil {
			t.Fatal(err)
		}
	}
}

// appendAll appends rs for monitor id (created if needed) in batches.
func appendAll(t testing.TB, db *DB, id string, rs []checks.Result, batch int) {
	t.Helper()
	seedMonitors(t, db, id)
	for len(rs) > 0 {
		n := min(batch, len(rs))
		b := make([]MonitorResult, n)
		for i, r := range rs[:n] {
			b[i] = MonitorResult{MonitorID: id, Result: r}
		}
		if err := db.AppendResults(b); err != nil {
			t.Fatalf("append: %v", err)
		}
		rs = rs[n:]
	}
}

// want filters and orders rs as Results must.
func wantResults(rs []checks.Result, q ResultQuery) []checks.Result {
	out := []checks.Result{}
	for _, r := range rs {
		if (q.Since.IsZero() || !r.At.Before(q.Since)) && (q.Until.IsZero() || r.At.Before(q.Until)) &&
			(q.Location == "" || r.Location == q.Location) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b checks.Result) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Location, b.Location)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		if q.Newest {
			return out[len(out)-q.Limit:]
		}
		return out[:q.Limit]
	}
	return out
}

func sameResults(t *testing.T, got, want []checks.Result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.At.Equal(w.At) || g.Location != w.Location || g.Status != w.Status || g.Message != w.Message ||
			math.Abs(g.LatencyMS-w.LatencyMS) > 0.005 || !maps.Equal(g.Values, w.Values) {
			t.Fatalf("result %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestResultsQueries(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	// 3 locations, 300 results each: several chunks per location.
	rs := genResults(seriesBase, 300, 30*time.Second, "server", "agent-b", "agent-a")
	appendAll(t, db, "3", rs[:100], 37)
	appendAll(t, db, "3", rs[100:], 250)
	appendAll(t, db, "4", rs[:5], 10)

	mid := seriesBase.Add(47*time.Minute + 15*time.Second)
	tests := []struct {
		name string
		q    ResultQuery
	}{
		{"all", ResultQuery{}},
		{"since", ResultQuery{Since: mid}},
		{"until", ResultQuery{Until: mid}},
		{"window", ResultQuery{Since: mid, Until: mid.Add(time.Hour)}},
		{"exact since and until", ResultQuery{Since: rs[30].At, Until: rs[90].At}},
		{"limit oldest", ResultQuery{Limit: 10}},
		{"limit newest", ResultQuery{Limit: 10, Newest: true}},
		{"limit newest in window", ResultQuery{Since: mid, Until: mid.Add(2 * time.Hour), Limit: 500, Newest: true}},
		{"limit since", ResultQuery{Since: mid, Limit: 7}},
		{"location", ResultQuery{Location: "agent-a"}},
		{"location newest", ResultQuery{Location: "server", Limit: 3, Newest: true}},
		{"unknown location", ResultQuery{Location: "nowhere"}},
		{"empty window", ResultQuery{Since: mid, Until: mid}},
		{"before everything", ResultQuery{Until: seriesBase.Add(-time.Hour)}},
		{"after everything", ResultQuery{Since: seriesBase.Add(48 * time.Hour), Limit: 5, Newest: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Results("3", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, got, wantResults(rs, tt.q))
		})
	}
	t.Run("unknown monitor", func(t *testing.T) {
		got, err := db.Results("nope", ResultQuery{})
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want empty, nil", got, err)
		}
	})
}

func TestAppendStoredPrecision(t *testing.T) {
	at := seriesBase.Add(123456789 * time.Nanosecond)
	tests := []struct {
		name string
		in   checks.Result
		want checks.Result
	}{
		{"millisecond truncation", checks.Result{At: at, Location: "s", Status: checks.StatusOK, LatencyMS: 12.345},
			checks.Result{At: seriesBase.Add(123 * time.Millisecond), Location: "s", Status: checks.StatusOK, LatencyMS: 12.35}},
		{"local time comes back UTC", checks.Result{At: seriesBase.In(time.FixedZone("x", 3600)), Location: "s", Status: checks.StatusWarning},
			checks.Result{At: seriesBase, Location: "s", Status: checks.StatusWarning}},
		{"negative latency", checks.Result{At: seriesBase, Location: "s", Status: checks.StatusProblem, LatencyMS: -5, Message: "refused"},
			checks.Result{At: seriesBase, Location: "s", Status: checks.StatusProblem, Message: "refused"}},
		{"NaN latency", checks.Result{At: seriesBase, Location: "s", Status: checks.StatusOK, LatencyMS: math.NaN()},
			checks.Result{At: seriesBase, Location: "s", Status: checks.StatusOK}},
		{"huge latency", checks.Result{At: seriesBase, Location: "s", Status: checks.StatusOK, LatencyMS: math.Inf(1)},
			checks.Result{At: seriesBase, Location: "s", Status: checks.StatusOK, LatencyMS: float64(maxLatencyUnits) / 100}},
		{"invalid status", checks.Result{At: seriesBase, Location: "s", Status: "bogus"},
			checks.Result{At: seriesBase, Location: "s", Status: checks.StatusUnknown}},
		{"values and empty location", checks.Result{At: seriesBase, Status: checks.StatusOK, Values: map[string]float64{"a": -1.5, "b": 1e-300}},
			checks.Result{At: seriesBase, Status: checks.StatusOK, Values: map[string]float64{"a": -1.5, "b": 1e-300}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSeriesDB(t, t.TempDir())
			seedMonitors(t, db, "1")
			if err := db.AppendResults([]MonitorResult{{"1", tt.in}}); err != nil {
				t.Fatal(err)
			}
			got, err := db.Results("1", ResultQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAppendDropsNotNewer(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 10, time.Minute, "a")
	appendAll(t, db, "1", rs[:6], 100)
	// A replayed spool: overlaps what is stored, then continues.
	replay := append(slices.Clone(rs[3:]), checks.Result{At: rs[9].At, Location: "a", Status: checks.StatusProblem})
	appendAll(t, db, "1", replay, 100)
	got, err := db.Results("1", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, rs)
	// An empty id names no monitor: dropped, the batch commits.
	if err := db.AppendResults([]MonitorResult{{"", rs[0]}, {"1", checks.Result{At: rs[9].At.Add(time.Minute), Location: "a"}}}); err != nil {
		t.Fatalf("batch with an empty monitor id: %v", err)
	}
	if got, _ := db.Results("1", ResultQuery{}); len(got) != len(rs)+1 {
		t.Fatalf("got %d results, want %d", len(got), len(rs)+1)
	}
}

func TestReopenAndStats(t *testing.T) {
	dir := t.TempDir()
	db := openSeriesDB(t, dir)
	// 600 results at 30 s (5 h) in one location close chunks by count
	// (chunkMaxPoints); monitor 2's, 5 h apart, by span (2 h).
	rs := genResults(seriesBase, 600, 30*time.Second, "server")
	appendAll(t, db, "1", rs, 1000)
	rs2 := genResults(seriesBase, 3, 5*time.Hour, "server", "b")
	appendAll(t, db, "2", rs2, 1000)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openSeriesDB(t, dir)
	got, err := db.Results("1", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, rs)
	st, err := db.SeriesStats()
	if err != nil {
		t.Fatal(err)
	}
	// 1: 9 × 64 + 24; 2: one chunk per result (5 h apart).
	if st.Results != 606 || st.Chunks != 10+6 || st.Bytes <= 0 {
		t.Fatalf("stats = %+v, want 606 results in 16 chunks", st)
	}
	last, err := db.LastResults()
	if err != nil {
		t.Fatal(err)
	}
	wantLast := map[string][]checks.Result{"1": {rs[599]}, "2": {rs2[5], rs2[4]}}
	for id, w := range wantLast {
		t.Run("last "+id, func(t *testing.T) { sameResults(t, last[id], w) })
	}
	if len(last) != 2 {
		t.Fatalf("LastResults has %d monitors, want 2", len(last))
	}
}

func TestDeleteSeries(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 5, time.Minute, "a")
	appendAll(t, db, "1", rs, 100)
	appendAll(t, db, "5", rs, 100)
	for i := range 2 { // the second time there is nothing to delete
		if err := db.DeleteSeries("1"); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	if got, _ := db.Results("1", ResultQuery{}); len(got) != 0 {
		t.Fatalf("deleted series still has %d results", len(got))
	}
	if got, _ := db.Results("5", ResultQuery{}); len(got) != 5 {
		t.Fatalf("other series has %d results, want 5", len(got))
	}
	// A new series under the same id starts afresh.
	appendAll(t, db, "1", rs[:2], 100)
	if got, _ := db.Results("1", ResultQuery{}); len(got) != 2 {
		t.Fatalf("recreated series has %d results, want 2", len(got))
	}
}
