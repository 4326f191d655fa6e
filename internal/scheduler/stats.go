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

// lagRing keeps the most recent start lags. It grows to lagWindow as runs
// come rather than taking its 32 KiB at the first: an agent with a few
// checks has a heap of a few hundred KiB.
type lagRing struct {
	buf  []time.Duration
	next int // where the next lag goes once buf is full
}

func (r *lagRing) add(d time.Duration) {
	if len(r.buf) < lagWindow {
		if len(r.buf) == cap(r.buf) { // grow by doubling, to lagWindow exactly
			grown := make([]time.Duration, len(r.buf), min(max(2*cap(r.buf), 64), lagWindow))
			copy(grown, r.buf)
			r.buf = grown
		}
		r.buf = append(r.buf, d)
		return
	}
	r.buf[r.next] = d
	r.next = (r.next + 1) % lagWindow
}

// summary returns p50, p99 and max of the window.
func (r *lagRing) summary() (p50, p99, highest time.Duration) {
	n := len(r.buf)
	if n == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(r.buf)
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
