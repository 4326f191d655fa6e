package scheduler

import (
	"slices"
	"time"
)

// lagWindow is how many recent start lags Stats summarises.
const lagWindow = 4096

// Stats is a snapshot of the scheduler's counters.
type Stats struct {
	Jobs     int    // jobs scheduled
	Running  int    // checks running now
	Queued   int    // due runs waiting for a free worker
	Workers  int    // size of the worker pool
	Executed uint64 // runs finished since start
	// Skipped counts due runs not started because the job's previous run
	// was still queued or running.
	Skipped uint64
	// LagP50, LagP99 and LagMax summarise actual start − scheduled time
	// over the most recent runs (up to 4,096).
	LagP50, LagP99, LagMax time.Duration
}

// lagRing keeps the most recent start lags.
type lagRing struct {
	buf  []time.Duration
	next int
	full bool
}

func (r *lagRing) add(d time.Duration) {
	if r.buf == nil {
		r.buf = make([]time.Duration, lagWindow)
	}
	r.buf[r.next] = d
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// summary returns p50, p99 and max of the window.
func (r *lagRing) summary() (p50, p99, highest time.Duration) {
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	if n == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(r.buf[:n])
	slices.Sort(s)
	return s[percentileIndex(n, 50)], s[percentileIndex(n, 99)], s[n-1]
}

// percentileIndex is the nearest-rank index of the p-th percentile of n
// sorted values.
func percentileIndex(n, p int) int {
	i := (n*p + 99) / 100 // ceil(n*p/100)
	if i < 1 {
		i = 1
	}
	return i - 1
}
