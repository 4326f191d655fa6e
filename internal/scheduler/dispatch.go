package scheduler

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// idleWait is how long the dispatcher sleeps with no job at all; Upsert
// wakes it sooner.
const idleWait = time.Hour

// dispatch moves due runs to the queue until ctx is done. It never waits
// for a worker.
func (s *Scheduler) dispatch(ctx context.Context) {
	timer := time.NewTimer(idleWait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := s.enqueueDue(time.Now())
		s.startWorkers(ctx)
		s.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.kick:
		}
	}
}

// enqueueDue queues every run due at now and returns how long until the
// next one. The next run is the scheduled start plus the interval, so
// intervals hold start to start whatever the lag. s.mu must be held.
func (s *Scheduler) enqueueDue(now time.Time) time.Duration {
	for len(s.heap) > 0 && !s.heap[0].next.After(now) {
		e := s.heap[0]
		if e.busy {
			s.skipped++
		} else {
			e.busy = true
			s.queue = append(s.queue, queued{e: e, scheduled: e.next})
		}
		if e.rephase {
			e.rephase = false
			e.next = s.rephased(e.job, e.next)
		} else {
			e.next = e.next.Add(e.job.Interval)
		}
		heap.Fix(&s.heap, 0)
	}
	if len(s.heap) == 0 {
		return idleWait
	}
	return s.heap[0].next.Sub(now)
}

// startWorkers starts a worker for each queued run that no worker is free
// to take, up to the pool size. s.mu must be held.
func (s *Scheduler) startWorkers(ctx context.Context) {
	for s.alive-s.running < len(s.queue) && s.alive < s.workers {
		s.alive++
		s.wg.Go(func() { s.work(ctx) })
	}
}

// work runs queued checks until the queue is empty or the scheduler
// closes, then returns: between runs no worker goroutine waits (an agent
// with a few checks every few seconds is idle nearly all the time, and
// each parked worker would keep its grown stack).
func (s *Scheduler) work(ctx context.Context) {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.alive--
			s.mu.Unlock()
			return
		}
		q := s.queue[0]
		s.queue[0] = queued{}
		s.queue = s.queue[1:]
		if q.e.index < 0 { // removed while queued
			q.e.busy = false
			retired := takeRetired(q.e)
			s.mu.Unlock()
			closeAll(retired...)
			continue
		}
		job := q.e.job
		start := time.Now()
		s.lags.add(start.Sub(q.scheduled))
		runCtx, cancel := context.WithTimeout(ctx, job.Timeout)
		q.e.cancel = cancel
		s.running++
		s.mu.Unlock()

		res := runCheck(runCtx, job)
		cancel()

		s.mu.Lock()
		q.e.busy = false
		q.e.cancel = nil
		s.running--
		s.executed++
		removed := q.e.index < 0
		retired := takeRetired(q.e)
		s.mu.Unlock()
		closeAll(retired...)

		// A check cut short by shutdown or removal did not measure the
		// target: reporting it would raise a false alarm.
		if removed || ctx.Err() != nil {
			continue
		}
		res.At = s.stamp(q.e, start)
		res.Location = s.location
		if err := s.sink(ctx, Result{MonitorID: job.ID, Result: res}); err != nil {
			s.log.Error("result not delivered", "monitor", job.ID, "err", err)
		}
	}
}

// runCheck runs one check. A checker must not panic; if one does anyway,
// the run becomes a problem result instead of taking the server down.
func runCheck(ctx context.Context, job Job) (res checks.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = checks.Result{Status: checks.StatusProblem, Message: fmt.Sprintf("check crashed: %v", p)}
		}
	}()
	if job.Checker == nil {
		return checks.Result{Status: checks.StatusProblem, Message: "no checker configured"}
	}
	return job.Checker.Check(ctx, job.Target)
}

// stamp returns the time to put on e's result: start, or just after the
// previous result's time when the wall clock went back (NTP step, a VM
// resumed from a snapshot), so no result is taken for a replay.
func (s *Scheduler) stamp(e *entry, start time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := start.Round(0)
	if !at.After(e.lastAt) {
		at = e.lastAt.Add(time.Millisecond)
	}
	e.lastAt = at
	return at
}
