package ingest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

var _ Appender = (*store.DB)(nil)

// openStore opens a store holding monitors with ids "1" to "n": the store
// drops results of monitors it does not have.
func openStore(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(tb.TempDir(), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	for i := range n {
		if err := db.CreateMonitor(&store.Monitor{Name: fmt.Sprint(i + 1), Type: "tcp", Target: "h:1"}, store.System); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// TestRealStore writes through a real store and reads the newest result
// of each monitor back.
func TestRealStore(t *testing.T) {
	db := openStore(t, 20)
	var committed atomic.Int64
	w := New(db, nil, Options{MaxBatch: 100, OnCommitted: func(b []store.MonitorResult) { committed.Add(int64(len(b))) }})
	go w.Run(t.Context())
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	const monitors, each = 20, 30
	for i := range each {
		for m := range monitors {
			r := store.MonitorResult{MonitorID: fmt.Sprint(m + 1), Result: checks.Result{
				At: start.Add(time.Duration(i) * time.Minute), Location: "server", Status: checks.StatusOK, LatencyMS: float64(i),
			}}
			if err := w.Submit(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	if got := committed.Load(); got != monitors*each {
		t.Fatalf("committed %d, want %d", got, monitors*each)
	}
	last, err := db.LastResults()
	if err != nil {
		t.Fatal(err)
	}
	for m := range monitors {
		rs := last[fmt.Sprint(m+1)]
		if len(rs) != 1 || rs[0].LatencyMS != each-1 {
			t.Errorf("monitor %d: last results %+v, want one with latency %d", m+1, rs, each-1)
		}
	}
}

// BenchmarkRealStore measures results per second from Submit to commit in
// a real bbolt file: 1,000 monitors, results one minute apart.
func BenchmarkRealStore(b *testing.B) {
	const monitors = 1000
	db := openStore(b, monitors)
	w := New(db, nil, Options{})
	go w.Run(b.Context())
	start := time.Now().Add(-24 * time.Hour).Truncate(time.Minute)
	b.ResetTimer()
	for i := range b.N {
		r := store.MonitorResult{MonitorID: fmt.Sprint(i%monitors + 1), Result: checks.Result{
			At: start.Add(time.Duration(i/monitors) * time.Second), Location: "server", Status: checks.StatusOK, LatencyMS: 12.5,
		}}
		if err := w.Submit(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
	st := w.Stats()
	b.ReportMetric(float64(st.Committed)/float64(max(st.Batches, 1)), "results/batch")
}
