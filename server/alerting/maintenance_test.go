package alerting

import (
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
)

// TestInMaintenance: the scope (monitor ids, tags, agents among the
// locations) and the cache, refreshed by MaintenanceChanged.
func TestInMaintenance(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	add := func(w store.MaintenanceWindow) {
		w.Start, w.End = now.Add(-time.Hour), now.Add(time.Hour)
		if err := h.db.CreateMaintenance(&w, admin); err != nil {
			t.Fatal(err)
		}
	}
	add(store.MaintenanceWindow{Name: "by id", Monitors: []string{"7"}})
	add(store.MaintenanceWindow{Name: "by tag", Tags: []string{"db"}})
	add(store.MaintenanceWindow{Name: "empty scope"})
	for _, tc := range []struct {
		m    store.Monitor
		want string
	}{
		{store.Monitor{ID: "7"}, "by id"},
		{store.Monitor{ID: "8", Tags: []string{"web", "db"}}, "by tag"},
		{store.Monitor{ID: "9", Locations: []string{"server", "3"}}, ""},
	} {
		name, on := h.d.InMaintenance(tc.m, now)
		if name != tc.want || on != (tc.want != "") {
			t.Errorf("monitor %+v: in maintenance %q %v, want %q", tc.m, name, on, tc.want)
		}
	}
	add(store.MaintenanceWindow{Name: "by agent", Agents: []string{"3"}})
	m := store.Monitor{ID: "9", Locations: []string{"server", "3"}}
	if _, on := h.d.InMaintenance(m, now); on {
		t.Error("a new window counted before MaintenanceChanged: the cache is not used")
	}
	h.d.MaintenanceChanged()
	if name, on := h.d.InMaintenance(m, now); !on || name != "by agent" {
		t.Errorf("after MaintenanceChanged: %q %v, want by agent", name, on)
	}
	if _, on := h.d.InMaintenance(m, now.Add(2*time.Hour)); on {
		t.Error("in maintenance after the window ended")
	}
}

// TestEngineMaintenanceHook: wired into the real engine, a stored window
// keeps a failing monitor from opening an incident.
func TestEngineMaintenanceHook(t *testing.T) {
	h := newHarness(t)
	m := h.addMonitor(store.Monitor{Name: "db", Locations: []string{"server"}, Confirm: 1, Tags: []string{"db"}})
	now := time.Now()
	w := store.MaintenanceWindow{Name: "upgrade", Tags: []string{"db"}, Start: now.Add(-time.Minute), End: now.Add(time.Hour)}
	if err := h.db.CreateMaintenance(&w, admin); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(h.db, nil)
	eng.SetMaintenance(h.d.InMaintenance)
	eng.Load([]store.Monitor{m}, nil)
	fail := func(at time.Time) []engine.Event {
		return eng.Apply([]store.MonitorResult{{MonitorID: m.ID, Result: checks.Result{At: at, Location: "server", Status: checks.StatusProblem, Message: "refused"}}})
	}
	for _, ev := range fail(now) {
		if ev.Kind == engine.IncidentOpened {
			t.Fatal("an incident opened during the window")
		}
	}
	if s, _ := eng.State(m.ID); s.Message != "in maintenance: upgrade" {
		t.Errorf("state message %q, want in maintenance: upgrade", s.Message)
	}
	opened := false
	for _, ev := range fail(now.Add(2 * time.Hour)) {
		opened = opened || ev.Kind == engine.IncidentOpened
	}
	if !opened {
		t.Error("no incident after the window")
	}
}
