package agent

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

func TestAssignmentsStartAndStopJobs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	f := newFakeGateway(t)
	sec := wire.Duration(time.Second)
	f.assignments = wire.Assignments{Version: "v1", Wait: sec, Monitors: []wire.Assignment{
		{ID: "tcp1", Type: "tcp", Target: l.Addr().String(), Interval: sec, Timeout: wire.Duration(500 * time.Millisecond)},
		{ID: "odd", Type: "no_such_type", Interval: sec, Timeout: sec},
		{ID: "badset", Type: "tcp", Target: l.Addr().String(), Interval: sec, Timeout: sec, Settings: mustJSON(t, map[string]int{"nonsense": 1})},
	}}
	a := startAgent(t, f, testConfig(t, f))
	eventually(t, "one job", func() bool { return a.sched.Stats().Jobs == 1 })
	got := f.waitStored(1, 5*time.Second)
	if got[0].MonitorID != "tcp1" || got[0].Result.Location != "agent-1" {
		t.Fatalf("first result %+v", got[0])
	}
	f.set(func(f *fakeGateway) { f.assignments = wire.Assignments{Version: "v2", Wait: sec} })
	eventually(t, "no jobs", func() bool { return a.sched.Stats().Jobs == 0 })
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.version != "v2" || len(a.applied) != 0 {
		t.Errorf("version %q, %d applied", a.version, len(a.applied))
	}
}

func TestRevokedStops(t *testing.T) {
	f := newFakeGateway(t)
	f.revoked = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Run(ctx, testConfig(t, f), testLog(t))
	if !errors.Is(err, errStopped) || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("Run = %v, want a revoked error", err)
	}
}

func TestRestartIgnoresToken(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	if _, err := join(context.Background(), cfg, mustState(t, cfg.StateDir), testLog(t)); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeGateway) { f.joinCode = wire.CodeTokenUsedUp })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, testLog(t)) }()
	eventually(t, "a poll", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.polls > 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.joins) != 1 {
		t.Errorf("%d joins, want 1", len(f.joins))
	}
}
