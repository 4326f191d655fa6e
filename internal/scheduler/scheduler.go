package scheduler

import (
	"container/heap"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// DefaultWorkers is the worker pool size when Options.Workers is zero.
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

// Scheduler runs jobs on time on a bounded pool of workers. Upsert,
// Remove and Stats are safe to call from any goroutine at any time.
type Scheduler struct {
	log      *slog.Logger
	location string
	workers  int
	sink     Sink

	mu       sync.Mutex
	cond     *sync.Cond // signalled when queue grows or the pool closes
	jobs     map[string]*entry
	heap     runHeap
	queue    []queued // due runs waiting for a worker, oldest first
	closed   bool
	started  bool
	running  int
	executed uint64
	skipped  uint64
	lags     lagRing

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
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Upsert adds a job or replaces the one with the same ID. A new job first
// runs after a random delay within its interval, so many jobs created at
// once spread out (within soonSpread for a job with Soon). A changed interval keeps the phase of the last start.
func (s *Scheduler) Upsert(job Job) {
	if job.Interval < minInterval {
		job.Interval = minInterval
	}
	if job.Timeout <= 0 || job.Timeout > job.Interval {
		job.Timeout = job.Interval
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.wake()
	e, ok := s.jobs[job.ID]
	if !ok {
		spread := job.Interval
		if job.Soon {
			spread = min(spread, soonSpread)
		}
		e = &entry{job: job, next: now.Add(time.Duration(rand.Int64N(int64(spread)))), rephase: job.Soon}
		s.jobs[job.ID] = e
		heap.Push(&s.heap, e)
		return
	}
	old := e.job.Interval
	e.job = job
	if old == job.Interval {
		return
	}
	next := e.next.Add(job.Interval - old)
	if next.Before(now) {
		next = now
	}
	e.next = next
	heap.Fix(&s.heap, e.index)
}

// Remove stops a job: it is not run again, a run in progress is cancelled
// and its result discarded. Removing an unknown ID does nothing.
func (s *Scheduler) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[id]
	if !ok {
		return
	}
	delete(s.jobs, id)
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

	var wg sync.WaitGroup
	for range s.workers {
		wg.Go(func() { s.work(ctx) })
	}
	s.dispatch(ctx)

	s.mu.Lock()
	s.closed = true
	for _, q := range s.queue {
		q.e.busy = false
	}
	s.queue = nil
	s.cond.Broadcast()
	s.mu.Unlock()
	wg.Wait()
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
