package gateway

import (
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
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
