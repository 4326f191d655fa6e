package scheduler

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

func TestAlignedFrom(t *testing.T) {
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s := &Scheduler{phase: base.Add(3 * time.Second).UnixNano()}
	tests := []struct {
		name     string
		at       time.Duration // after base
		interval time.Duration
		want     time.Duration // after base
	}{
		{"on the phase", 3 * time.Second, 10 * time.Second, 3 * time.Second},
		{"just after", 3*time.Second + 1, 10 * time.Second, 13 * time.Second},
		{"before", 0, 10 * time.Second, 3 * time.Second},
		{"a minute on", 47 * time.Second, time.Minute, 63 * time.Second},
		{"before the phase itself", -time.Hour, 10 * time.Second, -time.Hour + 3*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.alignedFrom(base.Add(tt.at), tt.interval).Sub(base); got != tt.want {
				t.Fatalf("alignedFrom(+%v, %v) = +%v, want +%v", tt.at, tt.interval, got, tt.want)
			}
		})
	}
}

// TestAlignedJobsRunTogether: aligned jobs of one interval run at the same
// instants however they were added; those of a multiple interval meet
// them; a Soon one joins them after its first run; others keep spreading.
func TestAlignedJobsRunTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = 10 * time.Second
		s, rec, stop := start(t, Options{Workers: 4})
		for i := range 5 {
			s.Upsert(Job{ID: fmt.Sprint("a", i), Interval: interval, Checker: nopChecker{}, Aligned: true})
			time.Sleep(1700 * time.Millisecond)
		}
		s.Upsert(Job{ID: "minute", Interval: 6 * interval, Checker: nopChecker{}, Aligned: true})
		s.Upsert(Job{ID: "soon", Interval: interval, Checker: nopChecker{}, Aligned: true, Soon: true})
		for i := range 20 {
			s.Upsert(Job{ID: fmt.Sprint("spread", i), Interval: interval, Checker: nopChecker{}})
		}
		t0 := time.Now()
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		stop()

		ref := rec.starts("a0")
		together := map[time.Time]bool{}
		for _, at := range ref {
			together[at] = true
		}
		if err := allEqual(gaps(ref), interval); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"a1", "a2", "a3", "a4", "minute"} {
			for _, at := range rec.starts(id) {
				if !together[at] {
					t.Fatalf("%s ran at %v, not with a0 (%v)", id, at, ref)
				}
			}
		}
		soon := rec.starts("soon")
		if off := soon[0].Sub(t0); off < 0 || off >= soonSpread {
			t.Fatalf("soon first ran at +%v, want within %v", off, soonSpread)
		}
		for _, at := range soon[1:] {
			if !together[at] {
				t.Fatalf("soon ran at %v after its first run, not with a0", at)
			}
		}
		seconds := map[int64]bool{}
		for i := range 20 {
			seconds[int64(rec.starts(fmt.Sprint("spread", i))[0].Sub(t0)/time.Second)] = true
		}
		if len(seconds) < 5 {
			t.Errorf("jobs that are not aligned ran in only %d distinct seconds: they should stay spread", len(seconds))
		}
	})
}

func TestAlignedChangedIntervalMovesToThePhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec, stop := start(t, Options{})
		s.Upsert(Job{ID: "ref", Interval: 3 * time.Second, Checker: nopChecker{}, Aligned: true})
		s.Upsert(Job{ID: "a", Interval: 10 * time.Second, Checker: nopChecker{}})
		time.Sleep(25 * time.Second)
		s.Upsert(Job{ID: "a", Interval: 3 * time.Second, Checker: nopChecker{}, Aligned: true})
		switched := time.Now()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		stop()
		together := map[time.Time]bool{}
		for _, at := range rec.starts("ref") {
			together[at] = true
		}
		n := 0
		for _, at := range rec.starts("a") {
			if at.Before(switched) {
				continue
			}
			n++
			if !together[at] {
				t.Fatalf("a ran at %v after it became aligned, not with ref", at)
			}
		}
		if n < 9 {
			t.Fatalf("a ran %d times in 30 s at 3 s, want about 10", n)
		}
	})
}

// TestNoIdleWorkers: workers start as runs fall due and return when there
// is none left, so an idle scheduler holds no goroutine but its dispatcher.
func TestNoIdleWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec, stop := start(t, Options{Workers: 3})
		defer stop()
		s.mu.Lock()
		s.phase = time.Now().Add(30 * time.Second).UnixNano()
		s.mu.Unlock()
		for i := range 10 {
			s.Upsert(Job{ID: fmt.Sprint(i), Interval: time.Minute, Checker: sleepChecker{time.Second}, Aligned: true})
		}
		time.Sleep(30*time.Second + 500*time.Millisecond)
		synctest.Wait()
		s.mu.Lock()
		alive, running := s.alive, s.running
		s.mu.Unlock()
		if alive != 3 || running != 3 {
			t.Fatalf("with 10 runs due at once: %d workers, %d running; want the bound, 3 and 3", alive, running)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		s.mu.Lock()
		alive = s.alive
		s.mu.Unlock()
		if alive != 0 {
			t.Fatalf("%d workers left once every run is done, want 0", alive)
		}
		for i := range 10 {
			if n := len(rec.starts(fmt.Sprint(i))); n != 1 {
				t.Fatalf("job %d ran %d times, want 1", i, n)
			}
		}
	})
}
