package engine

import (
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

var _ Store = (*store.DB)(nil)

// TestRestartWithRealStore opens an incident, "restarts" on the same
// bbolt file and resolves it.
func TestRestartWithRealStore(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := store.Monitor{Name: "web", Type: "http", Target: "https://example.com", Interval: time.Minute, Locations: []string{"server"}}
	if err := db.CreateMonitor(&m, store.System); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	batch := func(s checks.Status) []store.MonitorResult {
		at = at.Add(time.Minute)
		return []store.MonitorResult{{MonitorID: m.ID, Result: checks.Result{At: at, Location: "server", Status: s, Message: "refused"}}}
	}
	e := New(db, nil)
	e.Load([]store.Monitor{m}, nil)
	e.Apply(batch(checks.StatusProblem))
	events := e.Apply(batch(checks.StatusProblem))
	if len(events) != 2 || events[1].Kind != IncidentOpened {
		t.Fatalf("events = %+v, want status change and incident opened", events)
	}
	incID := events[1].Incident.ID
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	states, err := db.MonitorStates()
	if err != nil {
		t.Fatal(err)
	}
	e = New(db, nil)
	e.Load([]store.Monitor{m}, states)
	if ev := e.Apply(batch(checks.StatusProblem)); len(ev) != 0 {
		t.Errorf("failure after restart: events %+v, want none", ev)
	}
	events = e.Apply(batch(checks.StatusOK))
	if len(events) != 2 || events[1].Kind != IncidentResolved || events[1].Incident.ID != incID {
		t.Fatalf("recovery events = %+v, want incident %s resolved", events, incID)
	}
	inc, err := db.Incident(incID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != store.IncidentResolved || inc.EndedAt == nil || !inc.EndedAt.Equal(at) || inc.Message != "refused from server" {
		t.Errorf("stored incident = %+v, want resolved at %v with message %q", inc, at, "refused from server")
	}
}
