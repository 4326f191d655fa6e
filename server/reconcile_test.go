package server

import (
	"log/slog"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

func TestReconcileIncidents(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &Server{db: db, log: slog.New(slog.DiscardHandler)}
	mk := func(id string) store.Monitor {
		m := store.Monitor{Name: "m" + id, Type: "tcp", Target: "h:1", Interval: time.Minute, Timeout: time.Second, Locations: []string{"server"}}
		if err := db.CreateMonitor(&m, systemActor); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b, gone := mk("a"), mk("b"), mk("gone")
	open := func(monitor string) store.Incident {
		inc := store.Incident{MonitorID: monitor, StartedAt: time.Now(), Status: store.IncidentOpen, Message: "down"}
		if err := db.CreateIncident(&inc); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	orphanA := open(a.ID)   // the crash left a's state without it
	tracked := open(b.ID)   // b's state names this one
	stale := open(b.ID)     // … so this one is an orphan
	ofGone := open(gone.ID) // its monitor is deleted below
	if err := db.DeleteMonitor(gone.ID, systemActor); err != nil {
		t.Fatal(err)
	}
	states := map[string]store.MonitorState{b.ID: {MonitorID: b.ID, IncidentID: tracked.ID, Locations: map[string]store.LocationState{}}}
	if err := s.reconcileIncidents([]store.Monitor{a, b}, states); err != nil {
		t.Fatal(err)
	}
	if states[a.ID].IncidentID != orphanA.ID {
		t.Errorf("monitor a's state names incident %q, want the orphan %q adopted", states[a.ID].IncidentID, orphanA.ID)
	}
	for _, c := range []struct {
		inc  store.Incident
		want string
	}{{orphanA, store.IncidentOpen}, {tracked, store.IncidentOpen}, {stale, store.IncidentResolved}, {ofGone, store.IncidentResolved}} {
		got, err := db.Incident(c.inc.ID)
		if err != nil || got.Status != c.want {
			t.Errorf("incident %s: %q (%v), want %q", c.inc.ID, got.Status, err, c.want)
		}
	}
}
