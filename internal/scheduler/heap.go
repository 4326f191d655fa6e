package scheduler

import (
	"container/heap"
	"context"
	"io"
	"time"
)

// entry is one job's place in the schedule.
type entry struct {
	job   Job
	next  time.Time // when the next run is due
	index int       // position in the heap; -1 once removed
	// busy is true from the moment a run is queued until it returns, so a
	// due run that finds it set is skipped instead of piling up.
	busy bool
	// cancel stops the current run; set while busy and running.
	cancel context.CancelFunc
	// rephase is set for a job upserted with Soon: after its quick first
	// run, its regular phase is drawn at random within the interval, so
	// monitors created together do not keep running together.
	rephase bool
	// lastAt is the time stamped on the job's previous result; the next is
	// kept after it even if the wall clock is set back, because the store
	// treats a result not newer than the last as a replay and drops it.
	lastAt time.Time
	// retired are checkers this job replaced while a run of it was
	// queued or running: closed when that run returns (see retire.go).
	retired []io.Closer
}

// runHeap orders entries by next run time.
type runHeap []*entry

var _ heap.Interface = (*runHeap)(nil)

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }

func (h runHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *runHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *runHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}
