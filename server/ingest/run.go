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
	var due <-chan time.Time // non-nil while a batch is open
	batch := w.newBatch()
	for {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			if len(batch) == 1 {
				timer.Reset(w.opts.MaxDelay)
				due = timer.C
			}
			if len(batch) < w.opts.MaxBatch {
				continue
			}
		case <-due:
		case <-ctx.Done():
			return w.shutdown(batch)
		}
		timer.Stop()
		due = nil
		if err := w.commit(ctx, batch, time.Time{}); err != nil {
			// Only a shutdown during retries gets here: finish in shutdown.
			return w.shutdown(batch)
		}
		batch = w.newBatch()
	}
}

func (w *Writer) newBatch() []store.MonitorResult {
	return make([]store.MonitorResult, 0, w.opts.MaxBatch)
}

// shutdown stops Submit, waits for Submit calls under way while taking
// what they queue, and commits it all.
func (w *Writer) shutdown(batch []store.MonitorResult) error {
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
		if err := w.commit(context.Background(), batch, deadline); err != nil {
			lost += len(batch)
		}
		batch = w.newBatch()
	}
	for {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			if len(batch) >= w.opts.MaxBatch {
				flush()
			}
			continue
		case <-allIn:
		}
		break
	}
	for len(w.queue) > 0 {
		batch = append(batch, <-w.queue)
		if len(batch) >= w.opts.MaxBatch {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	if lost > 0 {
		return fmt.Errorf("ingest: %d results not written: the store kept failing through shutdown", lost)
	}
	return nil
}

// commit writes batch, retrying with backoff. While running (deadline is
// zero) it retries until it succeeds or ctx ends; during shutdown it
// retries until deadline. On success it hands the batch on.
func (w *Writer) commit(ctx context.Context, batch []store.MonitorResult, deadline time.Time) error {
	wait := w.opts.RetryMin
	for {
		err := w.st.AppendResults(batch)
		if err == nil {
			w.committed.Add(uint64(len(batch)))
			w.batches.Add(1)
			w.opts.OnCommitted(batch)
			return nil
		}
		w.failures.Add(1)
		w.log.Error("commit results, will retry", "results", len(batch), "retry_in", wait, "err", err)
		if !deadline.IsZero() && time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("ingest: commit %d results: %w", len(batch), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("ingest: commit interrupted: %w", err)
		}
		wait = min(2*wait, w.opts.RetryMax)
	}
}
