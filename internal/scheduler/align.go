package scheduler

import (
	"math/rand/v2"
	"time"
)

// firstRun is when a new job first runs: within soonSpread for a Soon job,
// at the next point of the common phase for an Aligned one, and otherwise
// at a random point of its interval.
func (s *Scheduler) firstRun(job Job, now time.Time) time.Time {
	switch {
	case job.Soon:
		return now.Add(time.Duration(rand.Int64N(int64(min(job.Interval, soonSpread)))))
	case job.Aligned:
		return s.alignedFrom(now, job.Interval)
	}
	return now.Add(time.Duration(rand.Int64N(int64(job.Interval))))
}

// rephased is the run after a Soon job's first one, at last: the common
// phase for an Aligned job, otherwise a random point of the interval
// after it, so monitors created together do not run together forever.
func (s *Scheduler) rephased(job Job, first time.Time) time.Time {
	if job.Aligned {
		return s.alignedFrom(first.Add(1), job.Interval)
	}
	return first.Add(1 + time.Duration(rand.Int64N(int64(job.Interval))))
}

// alignedFrom returns the first time at or after t that is the scheduler's
// phase plus a whole number of intervals. It counts on the wall clock, so
// aligned jobs of different intervals meet too (every 60 s job runs with
// every sixth 10 s one); a clock step only moves the phase.
func (s *Scheduler) alignedFrom(t time.Time, interval time.Duration) time.Time {
	iv := int64(interval)
	off := (t.UnixNano() - s.phase) % iv
	if off < 0 {
		off += iv
	}
	if off == 0 {
		return t
	}
	return t.Add(time.Duration(iv - off))
}
