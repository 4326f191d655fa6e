package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

func TestRemove(t *testing.T) {
	tests := []struct {
		name    string
		checker checks.Checker
	}{
		{name: "idle job", checker: sleepChecker{time.Millisecond}},
		{name: "running job is cancelled and its result dropped", checker: sleepChecker{time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, rec, stop := start(t, Options{})
				defer stop()
				s.Upsert(Job{ID: "a", Interval: 10 * time.Second, Timeout: 10 * time.Second, Checker: tt.checker})
				time.Sleep(35 * time.Second)
				synctest.Wait()
				before := len(rec.starts("a"))
				s.Remove("a")
				synctest.Wait()
				if got := s.Stats(); got.Jobs != 0 || got.Running != 0 {
					t.Fatalf("after Remove: jobs %d running %d, want 0 and 0", got.Jobs, got.Running)
				}
				time.Sleep(time.Minute)
				synctest.Wait()
				if after := len(rec.starts("a")); after != before {
					t.Errorf("results after Remove: %d, want %d", after, before)
				}
			})
		})
	}
}

func TestUpsertChangesInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec, stop := start(t, Options{})
		s.Upsert(Job{ID: "a", Interval: 10 * time.Second, Checker: sleepChecker{time.Millisecond}})
		time.Sleep(time.Minute)
		synctest.Wait()
		switched := time.Now()
		s.Upsert(Job{ID: "a", Interval: 3 * time.Second, Checker: sleepChecker{time.Millisecond}})
		time.Sleep(time.Minute)
		synctest.Wait()
		stop()
		var before, after []time.Time
		for _, ts := range rec.starts("a") {
			if ts.Before(switched) {
				before = append(before, ts)
			} else {
				after = append(after, ts)
			}
		}
		if err := allEqual(gaps(before), 10*time.Second); err != nil {
			t.Errorf("before: %v", err)
		}
		if err := allEqual(gaps(after), 3*time.Second); err != nil {
			t.Errorf("after: %v", err)
		}
		// The phase is kept: the first run after the change comes one new
		// interval after the last start, or at once if that has passed.
		want := before[len(before)-1].Add(3 * time.Second)
		if want.Before(switched) {
			want = switched
		}
		if !after[0].Equal(want) {
			t.Errorf("first run after the change at %v, want %v", after[0], want)
		}
	})
}

func TestShutdownCancelsRunningChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		s := New(Options{Sink: rec.sink}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		returned := make(chan struct{})
		go func() { s.Run(ctx); close(returned) }()
		var cancelled atomic.Bool
		s.Upsert(Job{ID: "a", Interval: time.Hour, Checker: ctxChecker{&cancelled}})
		time.Sleep(time.Hour)
		synctest.Wait()
		if s.Stats().Running != 1 {
			t.Fatalf("running = %d, want 1", s.Stats().Running)
		}
		cancel()
		<-returned
		if !cancelled.Load() {
			t.Error("the running check did not see its context cancelled")
		}
		if n := len(rec.starts("a")); n != 0 {
			t.Errorf("%d results delivered from a check cut short by shutdown, want 0", n)
		}
	})
}

// ctxChecker waits for its context and records that it ended.
type ctxChecker struct{ cancelled *atomic.Bool }

func (c ctxChecker) Check(ctx context.Context, _ string) checks.Result {
	<-ctx.Done()
	c.cancelled.Store(true)
	return checks.Result{Status: checks.StatusProblem}
}

func TestResults(t *testing.T) {
	tests := []struct {
		name       string
		checker    checks.Checker
		timeout    time.Duration
		wantStatus checks.Status
	}{
		{name: "ok", checker: sleepChecker{time.Second}, timeout: 5 * time.Second, wantStatus: checks.StatusOK},
		{name: "timeout cuts the check", checker: sleepChecker{time.Minute}, timeout: 5 * time.Second, wantStatus: checks.StatusProblem},
		{name: "panicking checker is a problem", checker: panicChecker{}, timeout: 5 * time.Second, wantStatus: checks.StatusProblem},
		{name: "no checker is a problem", checker: nil, timeout: 5 * time.Second, wantStatus: checks.StatusProblem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, rec, stop := start(t, Options{Location: "eu-1"})
				s.Upsert(Job{ID: "a", Interval: 30 * time.Second, Timeout: tt.timeout, Checker: tt.checker})
				time.Sleep(59 * time.Second)
				synctest.Wait()
				stop()
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.got) == 0 {
					t.Fatal("no result")
				}
				r := rec.got[0].Result
				if r.Status != tt.wantStatus || r.Location != "eu-1" || r.At.IsZero() {
					t.Errorf("result = %+v, want status %s at location eu-1 with At set", r, tt.wantStatus)
				}
			})
		})
	}
}

func TestLagIsMeasured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One worker, two jobs whose runs take 4s: whenever both are due
		// together one must wait, and the wait shows as lag.
		s, _, stop := start(t, Options{Workers: 1})
		for _, id := range []string{"a", "b", "c"} {
			s.Upsert(Job{ID: id, Interval: 10 * time.Second, Checker: sleepChecker{4 * time.Second}})
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		st := s.Stats()
		stop()
		if st.Executed == 0 {
			t.Fatal("nothing ran")
		}
		if st.LagMax <= 0 || st.LagP99 <= 0 {
			t.Errorf("lag p99 %v max %v: want > 0 with one worker for 3 overlapping jobs", st.LagP99, st.LagMax)
		}
		if st.LagMax > 10*time.Second {
			t.Errorf("lag max %v: a queued job must not wait longer than the other runs take", st.LagMax)
		}
	})
}
