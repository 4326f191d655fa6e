package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// Run writes batches until ctx is done or Close is called, then commits
// everything already submitted and returns. It returns an error only when
// the store kept failing through shutdown and results were not written.
func (w *Writer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errors.New("ingest: run called twice")
	}
	w.started, w.cancel = true, cancel
	if w.closed {
		cancel()
	}
	w.mu.Unlock()
	defer close(w.done)

	timer := time.NewTimer(w.opts.MaxDelay)
	timer.Stop()
	var due <-chan time.Time // non-nil while a group is open
	g := w.nextGroup(group{})
	for {
		select {
		case it := <-w.queue:
			g.add(it)
			if due == nil {
				timer.Reset(w.opts.MaxDelay)
				due = timer.C
			}
			if g.size() < w.opts.MaxBatch {
				continue
			}
		case <-due:
		case <-ctx.Done():
			return w.shutdown(g)
		}
		timer.Stop()
		due = nil
		if rest, err := w.commit(ctx, g, time.Time{}); err != nil {
			// Only a shutdown during retries gets here: finish in shutdown.
			return w.shutdown(rest)
		}
		g = w.nextGroup(g)
	}
}

// group is what one transaction writes: results in queue order, and the
// Commit batches among them whose senders wait for the outcome.
type group struct {
	results []store.MonitorResult
	waiting []waiter
}

// waiter is a Commit batch: results[from:to] of its group.
type waiter struct {
	from, to int
	done     chan<- error
}

// nextGroup returns an empty group sized for about as much as prev held.
// A group cannot be reused (OnCommitted owns its results), and one sized
// for MaxBatch (120 KB at the default) when a transaction holds a hundred
// or two results was the writer's largest garbage at 1,000 agents.
func (w *Writer) nextGroup(prev group) group {
	n := min(len(prev.results)+len(prev.results)/8+16, w.opts.MaxBatch)
	return group{
		results: make([]store.MonitorResult, 0, n),
		waiting: make([]waiter, 0, len(prev.waiting)+len(prev.waiting)/8+4),
	}
}

func (g *group) add(it item) {
	if it.done == nil {
		g.results = append(g.results, it.one)
		return
	}
	from := len(g.results)
	g.results = append(g.results, it.batch...)
	g.waiting = append(g.waiting, waiter{from: from, to: len(g.results), done: it.done})
}

func (g *group) size() int { return len(g.results) }

// answer tells every waiting sender err.
func (g *group) answer(err error) {
	for _, wt := range g.waiting {
		wt.done <- err
	}
}

// shutdown stops Submit and Commit, waits for calls under way while
// taking what they queue, and commits it all.
func (w *Writer) shutdown(g group) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	allIn := make(chan struct{})
	go func() {
		w.inflight.Wait()
		close(allIn)
	}()
	deadline := time.Now().Add(w.opts.DrainTimeout)
	var lost int
	flush := func() {
		if rest, err := w.commit(context.Background(), g, deadline); err != nil {
			lost += len(rest.results)
		}
		g = w.nextGroup(g)
	}
	for {
		select {
		case it := <-w.queue:
			g.add(it)
			if g.size() >= w.opts.MaxBatch {
				flush()
			}
			continue
		case <-allIn:
		}
		break
	}
	for len(w.queue) > 0 {
		g.add(<-w.queue)
		if g.size() >= w.opts.MaxBatch {
			flush()
		}
	}
	if g.size() > 0 {
		flush()
	}
	if lost > 0 {
		return fmt.Errorf("ingest: %d results not written: the store kept failing through shutdown", lost)
	}
	return nil
}

// commit writes g in one transaction and answers its waiting senders. When
// that fails, each waiting batch is tried alone once and its sender told
// the outcome (it will send again; the writer does not hold it), and the
// server's own results are retried with backoff: while running (deadline
// is zero) until they commit or ctx ends, during shutdown until deadline.
// On error it returns what was not written, which has no waiters left.
func (w *Writer) commit(ctx context.Context, g group, deadline time.Time) (group, error) {
	if len(g.waiting) > 0 {
		err := w.st.AppendResults(g.results)
		if err == nil {
			w.committedGroup(g.results)
			g.answer(nil)
			return group{}, nil
		}
		w.failures.Add(1)
		w.log.Error("commit results with agent batches; trying each batch alone", "results", len(g.results), "batches", len(g.waiting), "err", err)
		g = w.settle(g, err)
	}
	if len(g.results) == 0 {
		return group{}, nil
	}
	return w.retry(ctx, g, deadline)
}

// settle answers every waiter of g, which failed as a whole with err: a
// group that is one batch alone gets err, else each batch is tried in a
// transaction of its own. It returns the rest of g, the server's own
// results.
func (w *Writer) settle(g group, err error) group {
	if len(g.waiting) == 1 && g.waiting[0].from == 0 && g.waiting[0].to == len(g.results) {
		g.answer(fmt.Errorf("ingest: commit %d results: %w", len(g.results), err))
		return group{}
	}
	var own []store.MonitorResult
	next := 0
	for _, wt := range g.waiting {
		own = append(own, g.results[next:wt.from]...)
		next = wt.to
		batch := g.results[wt.from:wt.to:wt.to]
		if err := w.st.AppendResults(batch); err != nil {
			w.failures.Add(1)
			wt.done <- fmt.Errorf("ingest: commit %d results: %w", len(batch), err)
			continue
		}
		w.committedGroup(batch)
		wt.done <- nil
	}
	own = append(own, g.results[next:]...)
	return group{results: own}
}

// retry writes g, which has no waiters, until it commits or the run or
// the deadline ends.
func (w *Writer) retry(ctx context.Context, g group, deadline time.Time) (group, error) {
	wait := w.opts.RetryMin
	for {
		err := w.st.AppendResults(g.results)
		if err == nil {
			w.committedGroup(g.results)
			return group{}, nil
		}
		w.failures.Add(1)
		w.log.Error("commit results, will retry", "results", len(g.results), "retry_in", wait, "err", err)
		if !deadline.IsZero() && time.Now().Add(wait).After(deadline) {
			return g, fmt.Errorf("ingest: commit %d results: %w", len(g.results), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return g, fmt.Errorf("ingest: commit interrupted: %w", err)
		}
		wait = min(2*wait, w.opts.RetryMax)
	}
}

// committedGroup counts a committed transaction and hands its results on.
func (w *Writer) committedGroup(results []store.MonitorResult) {
	w.committed.Add(uint64(len(results)))
	w.batches.Add(1)
	w.opts.OnCommitted(results)
}
