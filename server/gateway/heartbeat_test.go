package gateway

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// touchStore records TouchAgents calls and fails the first failures of
// them; the gateway needs nothing else of it in these tests.
type touchStore struct {
	Store
	mu       sync.Mutex
	failures int
	calls    [][]store.AgentTouch // the ones that succeeded
}

func (s *touchStore) TouchAgents(touches []store.AgentTouch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return errors.New("disk full")
	}
	s.calls = append(s.calls, touches)
	return nil
}

func TestFlushHeartbeats(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	ts := &touchStore{failures: 1}
	g := New(Config{Store: ts})
	g.seen("1", start) // known to the store already: nothing to write
	g.touch("2", start.Add(time.Second), "10.0.0.2")
	g.touch("2", start, "10.0.0.3") // an older heartbeat keeps the newer time
	if err := g.flushHeartbeats(); err == nil {
		t.Fatal("flush with a failing store: no error")
	}
	if err := g.flushHeartbeats(); err != nil {
		t.Fatalf("flush after the failure: %v", err)
	}
	if err := g.flushHeartbeats(); err != nil {
		t.Fatalf("flush with nothing new: %v", err)
	}
	want := []store.AgentTouch{{ID: "2", At: start.Add(time.Second), Address: "10.0.0.3"}}
	if len(ts.calls) != 2 || len(ts.calls[0]) != 1 || ts.calls[0][0] != want[0] || len(ts.calls[1]) != 0 {
		t.Errorf("written %+v, want %+v kept through the failure and then nothing", ts.calls, want)
	}
}

func TestHeartbeatsWrittenEveryFlushAndAtShutdown(t *testing.T) {
	tests := []struct {
		name  string
		flush time.Duration
		wait  func(e *env)
	}{
		{name: "every flush", flush: 50 * time.Millisecond, wait: func(*env) {}},
		{name: "at shutdown", flush: time.Hour, wait: func(e *env) { e.stop() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.HeartbeatFlush = tt.flush })
			a := e.join("a")
			if status := e.post(a.http, wire.PathAssignments, poll(""), nil); status != http.StatusOK {
				t.Fatalf("poll: status %d", status)
			}
			seen, _ := e.gw.LastSeen(a.id)
			tt.wait(e)
			deadline := time.Now().Add(10 * time.Second)
			for {
				stored, err := e.db.Agent(a.id)
				if err != nil {
					t.Fatal(err)
				}
				if stored.LastSeen.Equal(seen) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("stored last seen %v, want the poll's %v", stored.LastSeen, seen)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
