package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// sleepChecker takes d to answer, or less when ctx ends first.
type sleepChecker struct{ d time.Duration }

func (c sleepChecker) Check(ctx context.Context, _ string) checks.Result {
	select {
	case <-time.After(c.d):
		return checks.Result{Status: checks.StatusOK, LatencyMS: checks.Millis(c.d)}
	case <-ctx.Done():
		return checks.Result{Status: checks.StatusProblem, Message: ctx.Err().Error()}
	}
}

// stubbornChecker ignores its context and takes d.
type stubbornChecker struct{ d time.Duration }

func (c stubbornChecker) Check(context.Context, string) checks.Result {
	time.Sleep(c.d)
	return checks.Result{Status: checks.StatusOK}
}

type panicChecker struct{}

func (panicChecker) Check(context.Context, string) checks.Result { panic("boom") }

// recorder is a Sink that keeps every result.
type recorder struct {
	mu  sync.Mutex
	got []Result
}

func (r *recorder) sink(_ context.Context, mr Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, mr)
	return nil
}

// starts returns the start times of id's results, in order.
func (r *recorder) starts(id string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for _, mr := range r.got {
		if mr.MonitorID == id {
			out = append(out, mr.Result.At)
		}
	}
	return out
}

// start runs a scheduler in the bubble and returns a stop function that
// cancels it and waits for Run to return.
func start(t *testing.T, opts Options) (*Scheduler, *recorder, func()) {
	t.Helper()
	rec := &recorder{}
	opts.Sink = rec.sink
	s := New(opts, nil)
	ctx, cancel := context.WithCancel(t.Context())
	go s.Run(ctx)
	return s, rec, func() {
		cancel()
		s.Wait()
	}
}

// gaps returns the differences between consecutive times.
func gaps(ts []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

func allEqual(ds []time.Duration, want time.Duration) error {
	if len(ds) == 0 {
		return fmt.Errorf("no intervals measured")
	}
	for i, d := range ds {
		if d != want {
			return fmt.Errorf("interval %d is %v, want %v (all: %v)", i, d, want, ds)
		}
	}
	return nil
}

func TestIntervals(t *testing.T) {
	tests := []struct {
		name        string
		checker     checks.Checker
		interval    time.Duration
		run         time.Duration
		wantGap     time.Duration
		wantSkipped bool
	}{
		{name: "fast check holds the interval", checker: sleepChecker{10 * time.Millisecond}, interval: 10 * time.Second, run: 2 * time.Minute, wantGap: 10 * time.Second},
		{name: "slow check still start to start", checker: sleepChecker{7 * time.Second}, interval: 10 * time.Second, run: 2 * time.Minute, wantGap: 10 * time.Second},
		{name: "overrunning check skips, no pile-up", checker: stubbornChecker{25 * time.Second}, interval: 10 * time.Second, run: 3 * time.Minute, wantGap: 30 * time.Second, wantSkipped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, rec, stop := start(t, Options{Workers: 4})
				s.Upsert(Job{ID: "a", Interval: tt.interval, Checker: tt.checker})
				time.Sleep(tt.run)
				synctest.Wait()
				st := s.Stats()
				stop()
				if err := allEqual(gaps(rec.starts("a")), tt.wantGap); err != nil {
					t.Fatal(err)
				}
				if got := st.Skipped > 0; got != tt.wantSkipped {
					t.Errorf("skipped = %d, want skips: %v", st.Skipped, tt.wantSkipped)
				}
				if st.Running > 1 {
					t.Errorf("running = %d: runs piled up", st.Running)
				}
			})
		})
	}
}

func TestFirstRunJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, interval = 200, time.Minute
		s, rec, stop := start(t, Options{Workers: 8})
		t0 := time.Now()
		for i := range n {
			s.Upsert(Job{ID: fmt.Sprint(i), Interval: interval, Checker: nopChecker{}})
		}
		time.Sleep(interval - time.Nanosecond)
		synctest.Wait()
		stop()
		seconds := map[int64]bool{}
		for i := range n {
			ts := rec.starts(fmt.Sprint(i))
			if len(ts) != 1 {
				t.Fatalf("job %d ran %d times in its first interval, want 1", i, len(ts))
			}
			off := ts[0].Sub(t0)
			if off < 0 || off >= interval {
				t.Fatalf("job %d first ran at +%v, outside [0, %v)", i, off, interval)
			}
			seconds[int64(off/time.Second)] = true
		}
		// 200 uniform draws over 60 one-second slots leave fewer than 40
		// slots hit with negligible probability; all at once would hit 1.
		if len(seconds) < 40 {
			t.Errorf("first runs fell in only %d distinct seconds: not spread", len(seconds))
		}
	})
}

func TestBlockedCheckDoesNotDelayOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec, stop := start(t, Options{Workers: 2})
		release := make(chan struct{})
		s.Upsert(Job{ID: "stuck", Interval: time.Hour, Checker: blockChecker{release}})
		s.Upsert(Job{ID: "fast", Interval: time.Second, Checker: sleepChecker{time.Millisecond}})
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		close(release)
		stop()
		fast := rec.starts("fast")
		if err := allEqual(gaps(fast), time.Second); err != nil {
			t.Fatal(err)
		}
		if len(fast) < 118 {
			t.Errorf("fast ran %d times in 2 minutes, want about 120", len(fast))
		}
	})
}

// blockChecker blocks until release is closed, whatever ctx says.
type blockChecker struct{ release chan struct{} }

func (c blockChecker) Check(context.Context, string) checks.Result {
	<-c.release
	return checks.Result{Status: checks.StatusOK}
}

func TestSoonRunsFirstWithinSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec, stop := start(t, Options{Workers: 2})
		t0 := time.Now()
		s.Upsert(Job{ID: "new", Interval: time.Hour, Checker: nopChecker{}, Soon: true})
		time.Sleep(soonSpread)
		synctest.Wait()
		stop()
		ts := rec.starts("new")
		if len(ts) != 1 {
			t.Fatalf("job with Soon ran %d times within %v, want 1", len(ts), soonSpread)
		}
		if off := ts[0].Sub(t0); off < 0 || off >= soonSpread {
			t.Fatalf("first run at +%v, want within [0, %v)", off, soonSpread)
		}
	})
}

// TestSoonJobsSpreadAfterTheirFirstRun guards against monitors created
// together (a script importing hundreds) running together forever.
func TestSoonJobsSpreadAfterTheirFirstRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, interval = 200, time.Minute
		s, rec, stop := start(t, Options{Workers: 8})
		t0 := time.Now()
		for i := range n {
			s.Upsert(Job{ID: fmt.Sprint(i), Interval: interval, Checker: nopChecker{}, Soon: true})
		}
		time.Sleep(soonSpread + 2*interval)
		synctest.Wait()
		stop()
		seconds := map[int64]bool{}
		for i := range n {
			ts := rec.starts(fmt.Sprint(i))
			if len(ts) < 3 {
				t.Fatalf("job %d ran %d times, want at least 3", i, len(ts))
			}
			if off := ts[0].Sub(t0); off >= soonSpread {
				t.Fatalf("job %d first ran at +%v, want within %v", i, off, soonSpread)
			}
			if gap := ts[2].Sub(ts[1]); gap != interval {
				t.Fatalf("job %d: second gap %v, want the interval %v", i, gap, interval)
			}
			seconds[int64(ts[1].Sub(t0)/time.Second)%60] = true
		}
		if len(seconds) < 40 {
			t.Errorf("second runs fell in only %d distinct seconds of the minute: not spread", len(seconds))
		}
	})
}

func TestStampStaysAfterThePreviousResult(t *testing.T) {
	s := New(Options{}, nil)
	e := &entry{}
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if got := s.stamp(e, t0); !got.Equal(t0) {
		t.Fatalf("first stamp %v, want %v", got, t0)
	}
	// The wall clock is set back an hour: the next result still comes after.
	if got := s.stamp(e, t0.Add(-time.Hour)); !got.Equal(t0.Add(time.Millisecond)) {
		t.Fatalf("stamp after the clock went back: %v, want %v", got, t0.Add(time.Millisecond))
	}
	if got := s.stamp(e, t0.Add(time.Minute)); !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("stamp once the clock is past again: %v", got)
	}
}
