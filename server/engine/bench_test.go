package engine

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// TestConcurrentUse runs Apply beside configuration changes and reads;
// it finds its failures under -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(mon("a"), mon("b", func(m *store.Monitor) { m.DependsOn = []string{"a"} }))
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			status := []checks.Status{ok, bad, bad, warn}[i%4]
			h.e.Apply([]store.MonitorResult{
				{MonitorID: "a", Result: checks.Result{At: t0.Add(time.Duration(i) * time.Second), Location: "server", Status: status}},
				{MonitorID: "b", Result: checks.Result{At: t0.Add(time.Duration(i) * time.Second), Location: "server", Status: status}},
			})
		}
	})
	wg.Go(func() {
		for i := range 200 {
			h.e.UpsertMonitor(mon("b", func(m *store.Monitor) { m.Confirm = 1 + i%3; m.DependsOn = []string{"a"} }))
			h.e.States()
		}
	})
	wg.Wait()
	if s, ok := h.e.State("a"); !ok || s.Status == "" {
		t.Errorf("state of a = %+v", s)
	}
}

// BenchmarkApply measures one committed batch of 1,000 results from
// 1,000 monitors, including persisting their states in a real store.
func BenchmarkApply(b *testing.B) {
	db, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const n = 1000
	var monitors []store.Monitor
	for i := range n {
		m := store.Monitor{Name: fmt.Sprint("m", i), Type: "http", Target: "https://example.com", Interval: time.Minute, Locations: []string{"server"}}
		if err := db.CreateMonitor(&m, store.System); err != nil {
			b.Fatal(err)
		}
		monitors = append(monitors, m)
	}
	e := New(db, nil)
	e.Load(monitors, nil)
	batch := make([]store.MonitorResult, n)
	at := time.Now()
	b.ResetTimer()
	for b.Loop() {
		at = at.Add(time.Minute)
		for i, m := range monitors {
			batch[i] = store.MonitorResult{MonitorID: m.ID, Result: checks.Result{At: at, Location: "server", Status: checks.StatusOK, LatencyMS: 10, Message: "200 OK"}}
		}
		e.Apply(batch)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "results/s")
}
