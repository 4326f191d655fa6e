package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// resultsTimeout bounds one results request, as the real agent's does.
const resultsTimeout = time.Minute

// checkLoop runs the agent's simulated checks on their schedule until ctx
// ends, queueing each result and waking delivery, as the real agent's
// scheduler sink spools a result and wakes its delivery loop.
func (a *simAgent) checkLoop(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		a.mu.Lock()
		var next time.Time
		for _, j := range a.jobs {
			if next.IsZero() || j.next.Before(next) {
				next = j.next
			}
		}
		a.mu.Unlock()
		var due <-chan time.Time
		if !next.IsZero() {
			t.Reset(time.Until(next))
			due = t.C
		}
		select {
		case <-ctx.Done():
			return
		case <-a.changed:
			t.Stop()
			continue
		case <-due:
		}
		a.runDue(time.Now())
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// runDue runs every check due at now.
func (a *simAgent) runDue(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, j := range a.jobs {
		if j.next.After(now) {
			continue
		}
		r := j.run(now, a.rng)
		a.st.generated.Add(1)
		if len(a.pending) >= maxPending {
			a.st.lost.Add(1)
			continue
		}
		a.pending = append(a.pending, wire.MonitorResult{MonitorID: j.id, Result: r})
	}
}

// deliverLoop sends the queued results until ctx ends, the way the real
// agent's delivery loop does: everything queued (up to a batch's cap) in
// one batch as soon as the previous batch was acknowledged; a failed batch
// is sent again, same seq and same results, after a backoff.
func (a *simAgent) deliverLoop(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		a.mu.Lock()
		n := min(len(a.pending), wire.MaxResultsPerBatch)
		batch := wire.ResultBatch{Seq: a.seq + 1, Results: slices.Clone(a.pending[:n])}
		a.mu.Unlock()
		if n == 0 {
			select {
			case <-ctx.Done():
			case <-a.wake:
			}
			continue
		}
		if err := a.send(ctx, &batch); err != nil {
			if ctx.Err() != nil {
				return
			}
			a.st.fail("results", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		a.mu.Lock()
		a.seq = batch.Seq
		a.pending = append(a.pending[:0], a.pending[n:]...)
		for _, r := range batch.Results {
			if got, ok := a.spot[r.MonitorID]; ok {
				a.spot[r.MonitorID] = append(got, r.Result)
			}
		}
		a.mu.Unlock()
	}
}

// send posts one batch and checks its acknowledgement.
func (a *simAgent) send(ctx context.Context, b *wire.ResultBatch) error {
	ctx, cancel := context.WithTimeout(ctx, resultsTimeout)
	defer cancel()
	start := time.Now()
	var ack wire.ResultAck
	if _, err := post(ctx, a.http, a.gateway+wire.PathResults, b, wire.MaxAckBody, &ack); err != nil {
		return err
	}
	took := time.Since(start)
	if ack.Seq != b.Seq {
		return fmt.Errorf("agent %s: batch %d acknowledged as %d", a.id, b.Seq, ack.Seq)
	}
	if ack.Accepted+ack.Dropped != len(b.Results) {
		// Counted, not resent: the server did answer for this batch.
		a.st.fail("results", errors.New("the acknowledgement does not count every result of the batch"))
	}
	a.st.accepted.Add(int64(ack.Accepted))
	a.st.dropped.Add(int64(ack.Dropped))
	a.st.acked(took, len(b.Results))
	return nil
}
