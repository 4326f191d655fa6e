package scheduler

import (
	"container/heap"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// DefaultWorkers is how many checks run at once when Options.Workers is
// zero.
const DefaultWorkers = 64

// minInterval guards against a zero or negative interval, which would
// otherwise make a job due forever.
const minInterval = time.Second

// Job is one monitor as the scheduler runs it.
type Job struct {
	ID       string
	Target   string
	Interval time.Duration // start to start; below one second means one second
	Timeout  time.Duration // per run; zero or above Interval means Interval
	Checker  checks.Checker
	// Soon makes a new job's first run come within soonSpread rather than
	// at a random point of its interval: for a monitor a person has just
	// created and is waiting to see. Start-up loads jobs without it.
	Soon bool
	// Aligned makes the job run at the scheduler's common phase of its
	// interval, together with every other aligned job of that interval,
	// rather than at a random phase of its own. For cheap local checks
	// (an agent's host checks): the process then wakes once per interval
	// and their results go out in one batch. The phase is random per
	// Scheduler, so many agents do not all run at the same instant.
	Aligned bool
}

// soonSpread bounds the first-run delay of a job upserted with Soon; still
// spread, so a script creating many monitors does not fire them together.
const soonSpread = 2 * time.Second

// Sink receives each result. It is called from worker goroutines, several
// at once, with the Run context; an error is logged, the result is lost.
type Sink func(ctx context.Context, r Result) error

// Options configure a Scheduler.
type Options struct {
	// Location is written into every result; "server" when empty.
	Location string
	// Workers bounds how many checks run at once; DefaultWorkers when zero.
	Workers int
	// Sink receives results; nil discards them.
	Sink Sink
}

// Scheduler runs jobs on time on a bounded number of workers, started as
// runs fall due. Upsert,
// Remove and Stats are safe to call from any goroutine at any time.
type Scheduler struct {
	log      *slog.Logger
	location string
	workers  int
	sink     Sink

	mu       sync.Mutex
	wg       sync.WaitGroup // the workers
	jobs     map[string]*entry
	heap     runHeap
	queue    []queued // due runs waiting for a worker, oldest first
	closed   bool
	started  bool
	alive    int // workers started and not yet returned
	running  int // of them, those running a check
	executed uint64
	skipped  uint64
	lags     lagRing
	phase    int64 // Unix nanoseconds, random: aligned jobs are due at phase + k*interval

	kick chan struct{} // wakes the dispatcher when the heap's top may have changed
	done chan struct{} // closed when Run has returned
}

// queued is a due run waiting for a worker.
type queued struct {
	e         *entry
	scheduled time.Time
}

// New returns a Scheduler; call Run to start it.
func New(opts Options, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Location == "" {
		opts.Location = "server"
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Sink == nil {
		opts.Sink = func(context.Context, Result) error { return nil }
	}
	s := &Scheduler{
		log:      log,
		location: opts.Location,
		workers:  opts.Workers,
		sink:     opts.Sink,
		jobs:     map[string]*entry{},
		phase:    rand.Int64(),
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	return s
}

// Upsert adds a job or replaces the one with the same ID. A new job first
// runs after a random delay within its interval, so many jobs created at
// once spread out (within soonSpread for a job with Soon); an Aligned one
// at the next point of the common phase (after its Soon run, if any). A
// changed interval keeps the phase of the last start, or for an Aligned
// job moves to the common phase of the new interval.
func (s *Scheduler) Upsert(job Job) {
	if job.Interval < minInterval {
		job.Interval = minInterval
	}
	if job.Timeout <= 0 || job.Timeout > job.Interval {
		job.Timeout = job.Interval
	}
	now := time.Now()
	var toClose io.Closer
	defer func() { closeAll(toClose) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.wake()
	e, ok := s.jobs[job.ID]
	if !ok {
		e = &entry{job: job, next: s.firstRun(job, now), rephase: job.Soon}
		s.jobs[job.ID] = e
		heap.Push(&s.heap, e)
		return
	}
	old := e.job
	e.job = job
	if !sameChecker(old.Checker, job.Checker) {
		toClose = s.retire(e, old.Checker)
	}
	if old.Interval == job.Interval && old.Aligned == job.Aligned {
		return
	}
	next := e.next.Add(job.Interval - old.Interval)
	if next.Before(now) {
		next = now
	}
	if job.Aligned && !e.rephase {
		next = s.alignedFrom(next, job.Interval)
	}
	e.next = next
	heap.Fix(&s.heap, e.index)
}

// Remove stops a job: it is not run again, a run in progress is cancelled
// and its result discarded. Removing an unknown ID does nothing.
func (s *Scheduler) Remove(id string) {
	var toClose io.Closer
	defer func() { closeAll(toClose) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[id]
	if !ok {
		return
	}
	delete(s.jobs, id)
	toClose = s.retire(e, e.job.Checker)
	heap.Remove(&s.heap, e.index)
	if e.cancel != nil {
		e.cancel()
	}
	s.wake()
}

// Stats returns the current counters and recent start lags.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Jobs:     len(s.jobs),
		Running:  s.running,
		Queued:   len(s.queue),
		Workers:  s.workers,
		Executed: s.executed,
		Skipped:  s.skipped,
	}
	st.LagP50, st.LagP99, st.LagMax = s.lags.summary()
	return st
}

// wake nudges the dispatcher without ever blocking.
func (s *Scheduler) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run dispatches jobs until ctx is done, then cancels running checks,
// waits for the workers to return and returns. Runs still queued are
// dropped. Run may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("scheduler: run called twice")
	}
	s.started = true
	s.mu.Unlock()
	defer close(s.done)

	s.dispatch(ctx)

	s.mu.Lock()
	s.closed = true
	var retired []io.Closer
	for _, q := range s.queue {
		q.e.busy = false
		retired = append(retired, takeRetired(q.e)...)
	}
	s.queue = nil
	s.mu.Unlock()
	closeAll(retired...)
	s.wg.Wait()
	return nil
}

// Wait blocks until Run has returned. It must not be called when Run was
// never started.
func (s *Scheduler) Wait() { <-s.done }

// Result is one run's outcome for one job: the server turns it into a
// stored result, an agent into a spooled one.
type Result struct {
	MonitorID string
	Result    checks.Result
}
