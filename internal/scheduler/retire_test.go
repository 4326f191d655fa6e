package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// closingChecker counts its runs and whether it was closed, and fails the
// test if it runs after Close.
type closingChecker struct {
	t       *testing.T
	block   chan struct{} // when set, Check waits for it
	started chan struct{}
	closed  atomic.Bool
	once    sync.Once
}

func (c *closingChecker) Check(ctx context.Context, _ string) checks.Result {
	if c.closed.Load() {
		c.t.Error("check ran after its checker was closed")
	}
	if c.started != nil {
		c.once.Do(func() { close(c.started) })
	}
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
		}
	}
	if c.closed.Load() {
		c.t.Error("checker closed while its run was going on")
	}
	return checks.Result{Status: checks.StatusOK}
}

func (c *closingChecker) Close() error {
	c.closed.Store(true)
	return nil
}

func TestUpsertClosesReplacedIdleChecker(t *testing.T) {
	s := New(Options{Sink: func(context.Context, Result) error { return nil }}, nil)
	old := &closingChecker{t: t}
	s.Upsert(Job{ID: "m", Interval: time.Hour, Checker: old})
	s.Upsert(Job{ID: "m", Interval: time.Hour, Checker: old})
	if old.closed.Load() {
		t.Fatal("upserting the same checker again closed it")
	}
	s.Upsert(Job{ID: "m", Interval: time.Hour, Checker: &closingChecker{t: t}})
	if !old.closed.Load() {
		t.Fatal("replaced checker not closed")
	}
	repl := s.jobs["m"].job.Checker.(*closingChecker)
	s.Remove("m")
	if !repl.closed.Load() {
		t.Fatal("removed checker not closed")
	}
}

func TestRemoveClosesRunningCheckerAfterItsRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := New(Options{Sink: func(context.Context, Result) error { return nil }}, nil)
	c := &closingChecker{t: t, block: make(chan struct{}), started: make(chan struct{})}
	s.Upsert(Job{ID: "m", Interval: time.Hour, Checker: c, Soon: true})
	go s.Run(ctx)
	select {
	case <-c.started:
	case <-time.After(10 * time.Second):
		t.Fatal("check did not start")
	}
	s.Upsert(Job{ID: "m", Interval: time.Hour, Checker: &closingChecker{t: t}})
	if c.closed.Load() {
		t.Fatal("checker closed during its run")
	}
	close(c.block)
	deadline := time.Now().Add(10 * time.Second)
	for !c.closed.Load() {
		if time.Now().After(deadline) {
			t.Fatal("replaced checker not closed after its run returned")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	s.Wait()
}

// valueChecker is a checker that is not a pointer and holds a slice
// behind an interface: comparing two with == would panic.
type valueChecker struct{ v any }

func (valueChecker) Check(context.Context, string) checks.Result { return checks.Result{} }

func TestSameCheckerComparesOnlyPointers(t *testing.T) {
	a, b := valueChecker{v: []int{1}}, valueChecker{v: []int{1}}
	if sameChecker(a, b) {
		t.Error("two value checkers are the same")
	}
	p := &closingChecker{t: t}
	if !sameChecker(p, p) || sameChecker(p, &closingChecker{t: t}) || !sameChecker(nil, nil) || sameChecker(p, nil) {
		t.Error("pointer checkers compared wrongly")
	}
}
