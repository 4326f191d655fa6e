package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// Delivery tuning.
const (
	// idleCheck is how often an idle delivery loop looks at the spool
	// without being woken, e.g. for results left from a previous run.
	idleCheck = 30 * time.Second
	// resultsTimeout bounds one results request, committing included.
	resultsTimeout = time.Minute
	// batchBytes is what Peek may return: the body cap less room for
	// the batch's own JSON.
	batchBytes = wire.MaxResultsBody - 64<<10
	// batchLinger is how long delivery waits, once a new result wakes it,
	// for the results of the checks that ran with it (the agent runs its
	// host checks together: scheduler.Job.Aligned): they then go in one
	// request and one spool acknowledgement rather than one each, which
	// is most of an idle agent's CPU time.
	batchLinger = 500 * time.Millisecond
)

// sink is the scheduler's Sink: it spools the result (with those that
// come at the same time: groupAppend) and wakes delivery.
func (a *agent) sink(_ context.Context, r scheduler.Result) error {
	mr := wire.MonitorResult{MonitorID: r.MonitorID, Result: r.Result}
	mr.Result.Message = truncate(mr.Result.Message, wire.MaxMessageLen)
	data, err := json.Marshal(mr)
	if err != nil {
		return fmt.Errorf("agent: encode result: %w", err)
	}
	if err := a.spooler.add(data); err != nil {
		return fmt.Errorf("agent: spool result: %w", err)
	}
	select {
	case a.queued <- struct{}{}:
	default:
	}
	return nil
}

// truncate cuts s to at most n bytes without leaving half a UTF-8
// sequence at the end.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// pending is a batch sent (or about to be) and not yet acknowledged.
type pending struct {
	batch   wire.ResultBatch
	lastSeq uint64 // spool seq to ack; may exceed batch.Seq's results when some were invalid
}

// deliverLoop sends spooled results until ctx is done; it returns an error
// only when the server refuses this agent for good.
func (a *agent) deliverLoop(ctx context.Context) error {
	b := backoff{r: a.cfg.retry}
	var p *pending
	failed := 0 // attempts in a row that failed, to say when delivery resumes
	for ctx.Err() == nil {
		if p == nil {
			next, err := a.nextBatch()
			if err != nil {
				a.log.Error("read spool", "err", err)
				sleep(ctx, b.next())
				continue
			}
			if next == nil {
				a.idle(ctx)
				continue
			}
			p = next
		}
		done, err := a.send(ctx, p)
		if stop := stopError(err); stop != nil {
			return stop
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failed++
			d := b.next()
			a.log.Warn("results not delivered; kept in the spool, retrying", "seq", p.batch.Seq, "results", len(p.batch.Results), "err", err, "retry_in", d.Round(time.Millisecond))
			sleep(ctx, d)
			continue
		}
		if failed > 0 {
			a.log.Info("results delivered again", "failed_attempts", failed)
			failed = 0
		}
		a.deliveredOnce.Do(func() { close(a.delivered) })
		b.reset()
		if done {
			p = nil
		}
	}
	return nil
}

// idle waits for a new result and then batchLinger more, for idleCheck,
// or for the end of ctx.
func (a *agent) idle(ctx context.Context) {
	select {
	case a.idling <- struct{}{}:
	default:
	}
	t := time.NewTimer(idleCheck)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-a.queued:
	case <-t.C:
		return
	}
	t.Reset(batchLinger)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	// The Peek that follows sees every result spooled so far: a wake-up
	// left by one of them would only make an empty round.
	select {
	case <-a.queued:
	default:
	}
}

// nextBatch reads the oldest spooled results into a batch numbered by the
// seq of its last record; nil when the spool is empty. Records that no
// longer validate (a clock gone wrong, a damaged record) are left out,
// counted as refused, and acknowledged with the batch.
func (a *agent) nextBatch() (*pending, error) {
	recs, err := a.spool.Peek(wire.MaxResultsPerBatch, batchBytes)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	now := time.Now()
	p := &pending{lastSeq: recs[len(recs)-1].Seq}
	p.batch.Seq = p.lastSeq
	for _, r := range recs {
		var mr wire.MonitorResult
		if err := json.Unmarshal(r.Data, &mr); err != nil || mr.ValidateAt(now) != nil {
			a.log.Warn("spooled result is not valid: dropped", "spool_seq", r.Seq)
			a.refused.Add(1)
			continue
		}
		p.batch.Results = append(p.batch.Results, mr)
	}
	if len(p.batch.Results) == 0 {
		return p, a.ack(p) // nothing to send; forget the records
	}
	return p, nil
}

// send posts p and acknowledges it in the spool after the server's ack.
// done says p is finished with: acknowledged, refused as bad, or empty.
func (a *agent) send(ctx context.Context, p *pending) (done bool, err error) {
	if len(p.batch.Results) == 0 {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, resultsTimeout)
	defer cancel()
	var ack wire.ResultAck
	_, err = a.api.post(ctx, wire.PathResults, &p.batch, wire.MaxAckBody, &ack)
	if wireCode(err) == wire.CodeBadRequest {
		a.log.Error("server refused a batch of results as malformed: dropped", "seq", p.batch.Seq, "results", len(p.batch.Results), "err", err)
		a.refused.Add(uint64(len(p.batch.Results)))
		return true, a.ack(p)
	}
	if err != nil {
		return false, err
	}
	if ack.Seq != p.batch.Seq {
		return false, fmt.Errorf("agent: the server acknowledged batch %d, not %d", ack.Seq, p.batch.Seq)
	}
	if ack.Dropped > 0 {
		a.log.Info("server dropped results of a batch", "seq", ack.Seq, "accepted", ack.Accepted, "dropped", ack.Dropped)
	}
	return true, a.ack(p)
}

// ack removes p's records from the spool.
func (a *agent) ack(p *pending) error {
	if err := a.spool.Ack(p.lastSeq); err != nil {
		return fmt.Errorf("agent: ack spool: %w", err)
	}
	return nil
}
