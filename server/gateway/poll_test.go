package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// pollAsync polls in the background; the status arrives on the channel.
func (e *env) pollAsync(a agent, version string) <-chan int {
	done := make(chan int, 1)
	go func() { done <- e.post(a.http, wire.PathAssignments, poll(version), nil) }()
	return done
}

func TestPollAnswersAtOnceOnNewVersion(t *testing.T) {
	e := newEnv(t, nil) // PollWait 30 s: an answer before that is "at once"
	e.assign("v2", "m1", "m2")
	a := e.join("a")
	var as wire.Assignments
	if status := e.post(a.http, wire.PathAssignments, poll("v1"), &as); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if as.Version != "v2" || len(as.Monitors) != 2 || as.Wait != wire.Duration(30*time.Second) {
		t.Errorf("assignments = %+v", as)
	}
}

func TestPollHoldsThen204(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PollWait = time.Second }) // wire.MinWait, the shortest
	a := e.join("a")
	start := time.Now()
	if status := e.post(a.http, wire.PathAssignments, poll("v1"), nil); status != http.StatusNoContent {
		t.Fatalf("status %d, want 204", status)
	}
	if time.Since(start) < time.Second {
		t.Errorf("answered after %s, before PollWait", time.Since(start))
	}
}

func TestPollWakesOnNotify(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	done := e.pollAsync(a, "v1")
	// Notify without a change keeps the poll held; with one it answers.
	waitHeld(t, e, a)
	e.gw.Notify()
	waitHeld(t, e, a) // held again: the assignments did not change
	select {
	case status := <-done:
		t.Fatalf("answered %d after a Notify that changed nothing", status)
	default:
	}
	e.assign("v2", "m1")
	e.gw.Notify()
	select {
	case status := <-done:
		if status != http.StatusOK {
			t.Errorf("status %d, want 200", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("poll not woken by Notify")
	}
}

func TestPollReturnsOnShutdown(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	done := e.pollAsync(a, "v1")
	waitHeld(t, e, a)
	e.gw.stopOnce.Do(func() { close(e.gw.stopping) })
	select {
	case status := <-done:
		if status != http.StatusNoContent {
			t.Errorf("status %d, want 204", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("held poll did not return on shutdown")
	}
}

func TestPollRecordsHeartbeat(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	joined, err := e.db.Agent(a.id)
	if err != nil {
		t.Fatal(err)
	}
	p := poll("")
	p.Hostname, p.Version = "renamed-host", "1.1.0"
	if status := e.post(a.http, wire.PathAssignments, p, nil); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	seen, ok := e.gw.LastSeen(a.id)
	if !ok || !seen.After(joined.LastSeen) {
		t.Errorf("last seen in memory %v, want after the join at %v", seen, joined.LastSeen)
	}
	stored, err := e.db.Agent(a.id)
	if err != nil {
		t.Fatal(err)
	}
	// Facts are stored at once; the heartbeat waits for the next flush.
	if stored.Hostname != "renamed-host" || stored.Version != "1.1.0" || !stored.LastSeen.Equal(joined.LastSeen) {
		t.Errorf("stored agent before a flush = %+v", stored)
	}
	if err := e.gw.flushHeartbeats(); err != nil {
		t.Fatal(err)
	}
	if stored, _ = e.db.Agent(a.id); !stored.LastSeen.Equal(seen) || stored.Address != "127.0.0.1" {
		t.Errorf("stored after a flush: last seen %v address %q, want %v 127.0.0.1", stored.LastSeen, stored.Address, seen)
	}
}

// updateCounter counts the agent updates the gateway makes.
type updateCounter struct {
	Store
	mu      sync.Mutex
	updates int
}

func (s *updateCounter) UpdateAgent(a *store.Agent, by store.Actor) error {
	s.mu.Lock()
	s.updates++
	s.mu.Unlock()
	return s.Store.UpdateAgent(a, by)
}

func (s *updateCounter) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updates
}

// TestPollStoresCommandsOnlyWhenChanged polls with a sequence of allowed
// commands: the store is written (and the change audited) only when the
// list differs from the stored one.
func TestPollStoresCommandsOnlyWhenChanged(t *testing.T) {
	counter := &updateCounter{}
	e := newEnv(t, func(c *Config) {
		counter.Store = c.Store
		c.Store = counter
	})
	a := e.join("a")
	base := counter.count() // the join's own updates
	steps := []struct {
		name     string
		commands []string
		updates  int // UpdateAgent calls so far
	}{
		{"none, as at the join", nil, 0},
		{"first commands", []string{"backup-age", "raid"}, 1},
		{"the same again", []string{"backup-age", "raid"}, 1},
		{"one removed", []string{"raid"}, 2},
		{"all removed", []string{}, 3},
		{"still none", nil, 3},
	}
	for i, st := range steps {
		p := poll(fmt.Sprint("old-", i)) // not the current version: answered at once
		p.Commands = st.commands
		if status := e.post(a.http, wire.PathAssignments, p, nil); status != http.StatusOK {
			t.Fatalf("%s: poll status %d", st.name, status)
		}
		if got := counter.count() - base; got != st.updates {
			t.Errorf("%s: %d agent updates, want %d", st.name, got, st.updates)
		}
		stored, err := e.db.Agent(a.id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(stored.Commands, st.commands) {
			t.Errorf("%s: stored commands %q, want %q", st.name, stored.Commands, st.commands)
		}
	}
	audit, err := e.db.Audit(store.AuditQuery{Target: "agent:" + a.id})
	if err != nil {
		t.Fatal(err)
	}
	polls := 0 // updates the polls made, audited as the agent
	for _, en := range audit {
		if en.Action == "agent.update" && en.Actor == "agent:a" {
			polls++
		}
	}
	if polls != 3 {
		t.Errorf("%d agent.update audit entries by agent:a, want 3", polls)
	}
}

// TestPollKeepsSpoolInMemory checks that the spool statistics of the
// latest poll are in Presence and that they are not written to the store.
func TestPollKeepsSpoolInMemory(t *testing.T) {
	counter := &updateCounter{}
	e := newEnv(t, func(c *Config) {
		counter.Store = c.Store
		c.Store = counter
	})
	a := e.join("a")
	base := counter.count() // the join's own updates
	if got := e.gw.Presence(a.id); got.Polled || got.Spool != (wire.SpoolStats{}) {
		t.Errorf("presence before any poll = %+v, want not polled", got)
	}
	for i, spool := range []wire.SpoolStats{{Records: 12, Bytes: 4096, Dropped: 3}, {Dropped: 3}} {
		p := poll(fmt.Sprint("old-", i))
		p.Spool = spool
		if status := e.post(a.http, wire.PathAssignments, p, nil); status != http.StatusOK {
			t.Fatalf("poll status %d", status)
		}
		got := e.gw.Presence(a.id)
		if !got.Polled || got.Spool != spool || got.Address != "127.0.0.1" {
			t.Errorf("presence after poll %d = %+v, want polled from 127.0.0.1 with %+v", i, got, spool)
		}
	}
	if n := counter.count() - base; n != 0 {
		t.Errorf("%d agent updates for spool statistics, want none", n)
	}
}

// waitHeld waits until a poll of a is being held.
func waitHeld(t *testing.T, e *env, a agent) {
	t.Helper()
	for {
		select {
		case id := <-e.held:
			if id == a.id {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no poll was held")
		}
	}
}
