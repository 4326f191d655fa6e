package agent

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// errPolicyChanged cancels a scan whose policy now asks for another one
// (paths, exclusions, attributes or revision changed).
var errPolicyChanged = errors.New("the policy changed")

// fimRunner scans one policy when it is due: when its interval has passed
// since its last completed scan, when the server asks for a scan
// (ScanRequest above the last one acted on), soon after it is first
// assigned or changed. It never runs two scans of its policy at once, and
// waits for the agent's scan slot before each.
type fimRunner struct {
	scans   *fimScans
	st      *fim.State
	log     *slog.Logger
	cancel  context.CancelFunc // stops the runner
	wake    chan struct{}      // the policy changed
	done    chan struct{}      // closed when run returned
	gone    atomic.Bool        // the server said the policy is no longer assigned
	firstAt time.Time          // when a policy never scanned is due

	mu         sync.Mutex
	policy     wire.FIMPolicy
	changedAt  time.Time               // when the scanned settings last changed; zero: not since start
	scanCancel context.CancelCauseFunc // of the scan running, nil when none
}

// current returns the policy as last assigned.
func (r *fimRunner) current() wire.FIMPolicy {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.policy
}

// update hands the runner its policy as assigned now. When what a scan
// looks at changed, a running scan is cancelled (the next one is a new
// baseline) and the next starts soon.
func (r *fimRunner) update(p wire.FIMPolicy) {
	r.mu.Lock()
	if !sameScan(r.policy, p) {
		r.changedAt = time.Now().Add(jitter(r.scans.firstJitter))
		if r.scanCancel != nil {
			r.scanCancel(errPolicyChanged)
		}
	}
	r.policy = p
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// stop cancels the runner (and its scan) and waits until it returned.
func (r *fimRunner) stop() {
	r.cancel()
	<-r.done
}

// ended reports whether the runner returned by itself.
func (r *fimRunner) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// run scans whenever due until ctx is done or the policy is gone (nil),
// or the server refuses this agent (that error).
func (r *fimRunner) run(ctx context.Context) error {
	b := backoff{r: r.scans.failRetry}
	for {
		wait, reason := r.due(time.Now())
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-r.wake:
				t.Stop()
				continue // the policy changed: due again
			case <-t.C:
			}
		}
		err := r.scanInSlot(ctx, reason)
		switch {
		case err == nil || errors.Is(err, errPolicyChanged):
			b.reset()
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, fim.ErrPolicyGone):
			r.gone.Store(true)
			r.log.Info("the server says this file integrity policy is no longer assigned here: scans stop", "err", err)
			return nil
		case errors.Is(err, errStopped):
			return err
		default:
			d := b.next()
			r.log.Warn("file integrity scan failed; trying again later", "err", err, "retry_in", d.Round(time.Second))
			if !sleep(ctx, d) {
				return nil
			}
		}
	}
}

// due says how long until the next scan and why it is due.
func (r *fimRunner) due(now time.Time) (time.Duration, string) {
	r.mu.Lock()
	p, changedAt := r.policy, r.changedAt
	r.mu.Unlock()
	acted, err := r.st.LastScanRequest(p.ID)
	if err != nil {
		r.log.Error("read file integrity state", "err", err)
		return r.scans.failRetry.Min, "retry"
	}
	if p.ScanRequest > acted {
		return 0, "requested"
	}
	if !changedAt.IsZero() {
		return changedAt.Sub(now), "policy changed"
	}
	last, err := r.st.LastScanAt(p.ID)
	if err != nil {
		r.log.Error("read file integrity state", "err", err)
		return r.scans.failRetry.Min, "retry"
	}
	if last.IsZero() {
		return r.firstAt.Sub(now), "first"
	}
	// A baseline interrupted (the agent was stopped or killed) or not yet
	// taken for this revision is due at once: until it completes the host
	// is not watched as the policy says.
	baselined, err := r.st.Baselined(p.ID, p.Revision)
	if err != nil {
		r.log.Error("read file integrity state", "err", err)
		return r.scans.failRetry.Min, "retry"
	}
	if !baselined {
		return r.firstAt.Sub(now), "baseline"
	}
	// So is a scan cut short: what it was to report (a "scan now" after a
	// change, say) must not wait an interval, which may be a week.
	interrupted, err := r.st.Interrupted(p.ID)
	if err != nil {
		r.log.Error("read file integrity state", "err", err)
		return r.scans.failRetry.Min, "retry"
	}
	if interrupted {
		return r.firstAt.Sub(now), "interrupted"
	}
	return last.Add(p.Interval.D()).Sub(now), "interval"
}

// scanInSlot waits for the agent's scan slot, then scans once.
func (r *fimRunner) scanInSlot(ctx context.Context, reason string) error {
	select {
	case r.scans.slot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.scans.slot }()
	return r.scan(ctx, reason)
}

// scan runs one scan of the policy as assigned now and logs how it went.
func (r *fimRunner) scan(ctx context.Context, reason string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	p := r.policy
	r.changedAt = time.Time{}
	r.scanCancel = cancel
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.scanCancel = nil
		r.mu.Unlock()
	}()
	if acted, err := r.st.LastScanRequest(p.ID); err == nil && p.ScanRequest > acted {
		// Acted on from now: a scan that fails or is cut short does not
		// make the request come back for ever.
		if err := r.st.SetScanRequest(p.ID, p.ScanRequest); err != nil {
			return err
		}
	}
	r.log.Info("file integrity scan started", "reason", reason, "paths", len(p.Paths))
	s := &fimSender{post: r.scans.post, retry: r.scans.retry, log: r.log, policyID: p.ID, revision: p.Revision, epoch: r.st.Epoch()}
	sum, err := r.st.Scan(ctx, scanPolicy(p), fim.ScanOptions{Send: s.send})
	if cause := context.Cause(ctx); errors.Is(cause, errPolicyChanged) {
		r.log.Info("file integrity scan stopped: the policy changed", "scan", sum.Scan)
		return errPolicyChanged
	}
	if err != nil {
		if ctx.Err() != nil {
			r.log.Info("file integrity scan stopped", "scan", sum.Scan, "objects", sum.Objects)
		}
		return err
	}
	r.log.Info("file integrity scan finished", "scan", sum.Scan, "baseline", sum.Baseline, "objects", sum.Objects,
		"bytes", sum.Bytes, "hashed", sum.Hashed, "changes", sum.Changes, "errors", sum.Errors,
		"reports", s.sent, "took", sum.Finished.Sub(sum.Started).Round(time.Millisecond))
	return nil
}

// scanPolicy is what the scanner needs of an assigned policy.
func scanPolicy(p wire.FIMPolicy) fim.Policy {
	return fim.Policy{
		ID: p.ID, Revision: p.Revision, Paths: p.Paths, Exclude: p.Exclude, Attributes: p.Attributes,
		FullRehashEvery: p.FullRehashEvery, IOLimit: int64(p.IOLimitMBps) * 1_000_000,
	}
}

// sameScan reports whether a and b make the same scan: a change of the
// interval or a scan request leaves a running scan alone.
func sameScan(a, b wire.FIMPolicy) bool {
	return a.Revision == b.Revision && slices.Equal(a.Paths, b.Paths) && slices.Equal(a.Exclude, b.Exclude) &&
		slices.Equal(a.Attributes, b.Attributes) && a.FullRehashEvery == b.FullRehashEvery && a.IOLimitMBps == b.IOLimitMBps
}

// samePolicy reports whether a and b are the same assignment.
func samePolicy(a, b wire.FIMPolicy) bool {
	return sameScan(a, b) && a.ID == b.ID && a.Interval == b.Interval && a.ScanRequest == b.ScanRequest
}

// jitter returns a random duration in [0, max).
func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}
