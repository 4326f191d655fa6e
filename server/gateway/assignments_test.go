package gateway

import (
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// TestAssignmentsKeptUntilNotify: results batches and polls ask
// Config.Assignments once per agent between two Notify calls; a change
// without Notify is not seen, one with it is.
func TestAssignmentsKeptUntilNotify(t *testing.T) {
	e := newEnv(t, nil)
	e.assign("v1", "m1")
	a := e.join("a")
	send := func(seq uint64, id string) wire.ResultAck {
		t.Helper()
		var ack wire.ResultAck
		b := wire.ResultBatch{Seq: seq, Results: []wire.MonitorResult{result(id, time.Now())}}
		if status := e.post(a.http, wire.PathResults, b, &ack); status != http.StatusOK {
			t.Fatalf("batch %d: status %d", seq, status)
		}
		return ack
	}
	steps := []struct {
		name      string
		change    func()
		monitor   string
		accepted  int
		wantAsked int
	}{
		{name: "first batch asks", monitor: "m1", accepted: 1, wantAsked: 1},
		{name: "second batch uses what was kept", monitor: "m1", accepted: 1, wantAsked: 1},
		{name: "a change without Notify is not seen", change: func() { e.assign("v2", "m1", "m2") }, monitor: "m2", accepted: 0, wantAsked: 1},
		{name: "Notify makes the next batch ask again", change: e.gw.Notify, monitor: "m2", accepted: 1, wantAsked: 2},
		{name: "and only once", monitor: "m2", accepted: 1, wantAsked: 2},
	}
	for i, s := range steps {
		if s.change != nil {
			s.change()
		}
		if ack := send(uint64(i+1), s.monitor); ack.Accepted != s.accepted {
			t.Errorf("%s: accepted %d, want %d", s.name, ack.Accepted, s.accepted)
		}
		if got := e.askedCount(); got != s.wantAsked {
			t.Errorf("%s: Assignments asked %d times, want %d", s.name, got, s.wantAsked)
		}
	}
	// A poll of the current version is held without asking again.
	done := e.pollAsync(a, "v2")
	waitHeld(t, e, a)
	if got := e.askedCount(); got != 2 {
		t.Errorf("a held poll asked: %d calls, want 2", got)
	}
	e.assign("v3", "m3")
	e.gw.Notify()
	if status := <-done; status != http.StatusOK {
		t.Errorf("poll after Notify: status %d, want 200", status)
	}
}
