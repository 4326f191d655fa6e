package alerting

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// TestRepair: news the engine committed while the dispatcher never
// queued it (the server stopped in between) is queued at the next start.
func TestRepair(t *testing.T) {
	tests := []struct {
		name string
		// before runs while the dispatcher is stopped; it returns the
		// incident to check.
		before func(h *harness, m store.Monitor, live store.Incident) string
		sent   []string
	}{
		{
			name: "opened, never queued",
			before: func(h *harness, m store.Monitor, _ store.Incident) string {
				inc := store.Incident{MonitorID: m.ID, StartedAt: time.Now(), Status: store.IncidentOpen, Message: "refused"}
				if err := h.db.CreateIncident(&inc); err != nil {
					h.t.Fatal(err)
				}
				return inc.ID
			},
			sent: []string{"a incident.opened @0s", "a incident.opened @1m0s"},
		},
		{
			// What reconcileIncidents does at startup to an orphan.
			name: "resolved while stopped",
			before: func(h *harness, _ store.Monitor, live store.Incident) string {
				now := time.Now().UTC()
				live.Status, live.EndedAt = store.IncidentResolved, &now
				if err := h.db.UpdateIncident(&live); err != nil {
					h.t.Fatal(err)
				}
				return live.ID
			},
			sent: []string{"a incident.opened @0s", "a incident.resolved @1m0s"},
		},
		{
			name: "acknowledged, never queued",
			before: func(h *harness, _ store.Monitor, live store.Incident) string {
				if _, err := h.db.AckIncident(live.ID, "", admin, time.Now()); err != nil {
					h.t.Fatal(err)
				}
				return live.ID
			},
			sent: []string{"a incident.opened @0s", "a incident.acknowledged @1m0s"},
		},
		{
			name: "open and already told: nothing",
			before: func(_ *harness, _ store.Monitor, live store.Incident) string {
				return live.ID
			},
			sent: []string{"a incident.opened @0s"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				a := h.contact("a", "webhook")
				m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
				m2 := h.addMonitor(store.Monitor{Name: "db", Notify: []string{a}})
				live := h.open(m)
				time.Sleep(time.Minute)
				h.halt()
				h.setStatus(m2.ID, checks.StatusProblem)
				id := tc.before(h, m2, live)
				h.restart()
				time.Sleep(time.Hour)
				want(t, "sent", h.snd.got(), tc.sent)
				h.restart() // a second repair finds nothing to do
				time.Sleep(time.Hour)
				want(t, "sent after another restart", h.snd.got(), tc.sent)
				if pending, _ := h.db.PendingNotifications(id); len(pending) != 0 {
					t.Errorf("still queued: %+v", pending)
				}
			})
		})
	}
}

// TestRepairBounds: the repair pages nobody about incidents older than
// the first time alerting ran on the data directory, nor about news more
// than 24 hours old.
func TestRepairBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		create := func(started time.Time) {
			inc := store.Incident{MonitorID: m.ID, StartedAt: started, Status: store.IncidentOpen}
			if err := h.db.CreateIncident(&inc); err != nil {
				t.Fatal(err)
			}
		}
		create(time.Now().Add(-time.Hour)) // before alerting existed: an upgrade
		h.restart()
		time.Sleep(3 * 24 * time.Hour)
		h.halt()
		create(time.Now().Add(-25 * time.Hour)) // during a long downtime
		h.restart()
		time.Sleep(time.Hour)
		want(t, "sent", h.snd.got(), nil)
	})
}

// failingStore fails to queue notifications while fail is set.
type failingStore struct {
	*store.DB
	fail  atomic.Bool
	tries atomic.Int32
}

func (f *failingStore) EnqueueNotifications(entries []*store.OutboxEntry) error {
	if f.fail.Load() {
		f.tries.Add(1)
		return errors.New("disk full")
	}
	return f.DB.EnqueueNotifications(entries)
}

// TestIntakeKeepsRetrying: a store that fails for ten minutes delays the
// opening message but does not lose it.
func TestIntakeKeepsRetrying(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		fs := &failingStore{}
		h.wrap = func(db *store.DB) Store { fs.DB = db; return fs }
		h.restart()
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		fs.fail.Store(true)
		h.open(m)
		time.Sleep(10 * time.Minute)
		fs.fail.Store(false)
		time.Sleep(2 * time.Minute)
		if n := fs.tries.Load(); n < 10 {
			t.Errorf("tried %d times in 10 minutes, want at least 10", n)
		}
		got := h.snd.got()
		if len(got) != 1 || h.snd.all()[0].at > 11*time.Minute {
			t.Errorf("sent %q, want the opening within a minute of the store recovering", got)
		}
	})
}

// TestIntakeBounded: beyond maxQueuedJobs, jobs are dropped (memory stays
// bounded) and the repair that follows queues what they would have.
func TestIntakeBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		fs := &failingStore{}
		h.wrap = func(db *store.DB) Store { fs.DB = db; return fs }
		h.restart()
		synctest.Wait() // the startup repair is over
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		fs.fail.Store(true)
		inc := h.open(m)
		for range maxQueuedJobs + 100 {
			h.d.OnEngineEvent(openedEvent(m, h.incident(inc.ID)))
		}
		h.d.qMu.Lock()
		n, over := len(h.d.queue), h.d.overflowed
		h.d.qMu.Unlock()
		if n > maxQueuedJobs || !over {
			t.Errorf("queue holds %d jobs (overflowed %v), want at most %d", n, over, maxQueuedJobs)
		}
		m2 := h.addMonitor(store.Monitor{Name: "db", Notify: []string{a}})
		h.setStatus(m2.ID, checks.StatusProblem)
		lost := store.Incident{MonitorID: m2.ID, StartedAt: time.Now(), Status: store.IncidentOpen}
		if err := h.db.CreateIncident(&lost); err != nil { // its event was dropped
			t.Fatal(err)
		}
		fs.fail.Store(false)
		time.Sleep(5 * time.Minute)
		if got := h.snd.got(); len(got) != 2 {
			t.Errorf("sent %q, want both openings", got)
		}
	})
}
