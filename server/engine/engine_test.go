package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

const (
	ok   = checks.StatusOK
	warn = checks.StatusWarning
	bad  = checks.StatusProblem
	unk  = checks.StatusUnknown
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// r is a result in a step: monitor, location, status; the message is the
// status unless given.
type r struct {
	id, loc string
	status  checks.Status
}

// step is one batch and what must hold after it.
type step struct {
	batch      []r
	wantStatus map[string]checks.Status
	wantOpen   map[string]int // open incidents per monitor
	wantEvents string         // "kind:monitor" joined by spaces, in order; "none"; "" is not checked
	wantMsg    map[string]string
}

// harness drives an engine over a fake store with a clock.
type harness struct {
	e   *Engine
	st  *fakeStore
	now time.Time
}

func newHarness(monitors ...store.Monitor) *harness {
	h := &harness{st: newFakeStore(), now: t0}
	h.e = New(h.st, nil)
	h.e.Load(monitors, nil)
	return h
}

func (h *harness) apply(batch []r) []Event {
	var mrs []store.MonitorResult
	for _, x := range batch {
		h.now = h.now.Add(time.Second)
		mrs = append(mrs, store.MonitorResult{MonitorID: x.id, Result: checks.Result{
			At: h.now, Location: x.loc, Status: x.status, Message: "msg " + string(x.status),
		}})
	}
	return h.e.Apply(mrs)
}

func (h *harness) check(t *testing.T, i int, s step, events []Event) {
	t.Helper()
	for id, want := range s.wantStatus {
		got, _ := h.e.State(id)
		if got.Status != want && !(want == unk && got.Status == "") {
			t.Errorf("step %d: %s status = %q, want %q", i, id, got.Status, want)
		}
	}
	for id, want := range s.wantOpen {
		if got := len(h.st.open(id)); got != want {
			t.Errorf("step %d: %s open incidents = %d, want %d", i, id, got, want)
		}
	}
	if s.wantEvents != "" {
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, fmt.Sprintf("%s:%s", ev.Kind, ev.MonitorID))
		}
		if got := strings.Join(kinds, " "); got != strings.TrimPrefix(s.wantEvents, "none") {
			t.Errorf("step %d: events = %q, want %q", i, got, s.wantEvents)
		}
	}
	for id, want := range s.wantMsg {
		if got, _ := h.e.State(id); got.Message != want {
			t.Errorf("step %d: %s message = %q, want %q", i, id, got.Message, want)
		}
	}
}

func mon(id string, opts ...func(*store.Monitor)) store.Monitor {
	m := store.Monitor{ID: id, Name: "name-" + id, Locations: []string{"server"}}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func one(id string, status checks.Status) []r { return []r{{id, "server", status}} }

func st(id string, s checks.Status) map[string]checks.Status { return map[string]checks.Status{id: s} }

func open(id string, n int) map[string]int { return map[string]int{id: n} }
