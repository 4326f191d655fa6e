package agent

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// startAgent joins the gateway and runs the agent until the test ends.
func startAgent(t *testing.T, f *fakeGateway, cfg Config) *agent {
	t.Helper()
	st := mustState(t, cfg.StateDir)
	creds, err := join(context.Background(), cfg, st, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAgent(cfg, st, creds, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.openSpool(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.loops(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	})
	return a
}

// spoolResults hands n results of monitor id to the agent's sink, one
// second apart in time.
func spoolResults(t *testing.T, a *agent, id string, n int) []wire.MonitorResult {
	t.Helper()
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var out []wire.MonitorResult
	for i := range n {
		r := checks.Result{At: base.Add(time.Duration(i) * time.Second), Location: "agent-1", Status: checks.StatusOK, Message: fmt.Sprint("run ", i)}
		if err := a.sink(context.Background(), scheduler.Result{MonitorID: id, Result: r}); err != nil {
			t.Fatal(err)
		}
		out = append(out, wire.MonitorResult{MonitorID: id, Result: r})
	}
	return out
}

// eventually polls cond until it holds or a few seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func messages(rs []wire.MonitorResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.MonitorID+"/"+r.Result.Message)
	}
	return out
}

func TestResultsSpooledWhileDown(t *testing.T) {
	f := newFakeGateway(t)
	a := startAgent(t, f, testConfig(t, f))
	f.set(func(f *fakeGateway) { f.down = true })
	want := spoolResults(t, a, "m1", 5)
	eventually(t, "a failed delivery", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.lostResults >= 2
	})
	if n := a.spool.Stats().Records; n != 5 {
		t.Fatalf("spool holds %d results, want 5", n)
	}
	if n := len(f.waitStored(0, time.Second)); n != 0 {
		t.Fatalf("gateway stored %d results while down", n)
	}
	f.set(func(f *fakeGateway) { f.down = false })
	got := f.waitStored(5, 5*time.Second)
	if !reflect.DeepEqual(messages(got), messages(want)) {
		t.Fatalf("stored %v, want %v in order", messages(got), messages(want))
	}
	eventually(t, "an empty spool", func() bool { return a.spool.Stats().Records == 0 })
	assertNoOverlap(t, f)
}

func TestResultsResentWithoutAck(t *testing.T) {
	f := newFakeGateway(t)
	f.loseAcks = 1
	a := startAgent(t, f, testConfig(t, f))
	want := spoolResults(t, a, "m1", 3)
	eventually(t, "a resend", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.batches) >= 2
	})
	eventually(t, "an empty spool", func() bool { return a.spool.Stats().Records == 0 })
	f.mu.Lock()
	defer f.mu.Unlock()
	first, second := f.batches[0], f.batches[1]
	if first.Seq != second.Seq || !reflect.DeepEqual(messages(first.Results), messages(second.Results)) {
		t.Fatalf("resend differs: seq %d %v, then seq %d %v", first.Seq, messages(first.Results), second.Seq, messages(second.Results))
	}
	if !reflect.DeepEqual(messages(f.stored), messages(want)) {
		t.Fatalf("stored %v, want %v once each", messages(f.stored), messages(want))
	}
}

func TestResultsInvalidDroppedLocally(t *testing.T) {
	f := newFakeGateway(t)
	a := startAgent(t, f, testConfig(t, f))
	// A value key over wire.MaxValueKeyLen: the agent's own validation
	// refuses it before sending.
	r := checks.Result{At: time.Now(), Status: checks.StatusOK, Values: map[string]float64{strings.Repeat("k", 65): 1}}
	if err := a.sink(context.Background(), scheduler.Result{MonitorID: "m1", Result: r}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the result dropped", func() bool { return a.spool.Stats().Records == 0 && a.refused.Load() == 1 })
	if st := a.spoolStats(); st.Dropped != 1 {
		t.Errorf("poll reports %d dropped, want 1", st.Dropped)
	}
}

func TestResultsBadRequestDropped(t *testing.T) {
	f := newFakeGateway(t)
	f.badResults = true
	a := startAgent(t, f, testConfig(t, f))
	spoolResults(t, a, "m1", 2)
	eventually(t, "the batch dropped", func() bool { return a.spool.Stats().Records == 0 && a.refused.Load() == 2 })
	f.set(func(f *fakeGateway) { f.badResults = false })
	want := spoolResults(t, a, "m2", 1)
	if got := f.waitStored(1, 5*time.Second); !reflect.DeepEqual(messages(got), messages(want)) {
		t.Fatalf("stored %v, want %v", messages(got), messages(want))
	}
}

// assertNoOverlap checks that no result went in two different batches.
func assertNoOverlap(t *testing.T, f *fakeGateway) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]uint64{}
	for _, b := range f.batches {
		for _, r := range b.Results {
			k := r.MonitorID + "/" + r.Result.Message
			if s, ok := seen[k]; ok && s != b.Seq {
				t.Errorf("%s sent in batch %d and %d", k, s, b.Seq)
			}
			seen[k] = b.Seq
		}
	}
}
