package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fimReopen is how long fimScans waits before opening its state file
// again after it could not.
const fimReopen = time.Minute

// fimScans runs the file-integrity policies the server assigns: one
// runner per policy (fim_runner.go), all sharing one state file and one
// scan slot, so that at most one scan runs on the host at a time
// whatever the number of policies. The poll loop hands it each
// Assignments' policies (assign); run owns the runners.
type fimScans struct {
	path        string // the state file, <state>/fim.db
	log         *slog.Logger
	post        postReport
	retry       backoffRange  // between attempts to deliver one report
	failRetry   backoffRange  // between scans that failed
	firstJitter time.Duration // a new policy's first scan starts within this

	slot    chan struct{} // holds a token while a scan runs
	applied atomic.Uint64 // assignments acted on, for tests

	mu     sync.Mutex
	latest []wire.FIMPolicy // the policies of the last Assignments
	fresh  bool             // latest was not acted on yet
	wake   chan struct{}
}

// postReport delivers one report and returns the server's ack.
type postReport func(ctx context.Context, r *wire.FIMReport) (wire.FIMAck, error)

// newFIMScans returns the FIM part of an agent whose state file is path.
func newFIMScans(path string, post postReport, retry backoffRange, firstJitter time.Duration, log *slog.Logger) *fimScans {
	return &fimScans{
		path: path, log: log, post: post, retry: retry,
		failRetry:   backoffRange{Min: time.Minute, Max: time.Hour},
		firstJitter: firstJitter,
		slot:        make(chan struct{}, 1),
		wake:        make(chan struct{}, 1),
	}
}

// assign hands over the policies of a new Assignments; it never blocks.
// Only the latest policies count: run acts on them when it can.
func (s *fimScans) assign(ps []wire.FIMPolicy) {
	s.mu.Lock()
	s.latest, s.fresh = slices.Clone(ps), true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the policies not yet acted on.
func (s *fimScans) take() ([]wire.FIMPolicy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, ok := s.latest, s.fresh
	s.fresh = false
	return ps, ok
}

// run starts, updates and stops runners as assignments come, until ctx is
// done (nil) or a report was refused because the server refuses this
// agent for good (that error). It stops every scan before it returns.
func (s *fimScans) run(ctx context.Context) error {
	var st *fim.State
	runners := map[string]*fimRunner{}
	stopped := make(chan error, 1) // a runner found the agent refused
	defer func() {
		for id, r := range runners {
			r.stop()
			delete(runners, id)
		}
		if st != nil {
			if err := st.Close(); err != nil {
				s.log.Error("close fim state", "err", err)
			}
		}
	}()
	var reopen <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-stopped:
			return err
		case <-s.wake:
		case <-reopen:
			reopen = nil
			s.mu.Lock()
			s.fresh = true
			s.mu.Unlock()
		}
		ps, ok := s.take()
		if !ok {
			continue
		}
		if st == nil {
			var err error
			if st, err = s.open(len(ps) > 0); err != nil {
				s.log.Error("file integrity state cannot be opened; no scans until it can", "err", err, "retry_in", fimReopen)
				reopen = time.After(fimReopen)
				continue
			}
			if st == nil {
				s.applied.Add(1)
				continue // nothing assigned and nothing to forget
			}
		}
		s.reconcile(ctx, st, runners, ps, stopped)
		s.applied.Add(1)
	}
}

// open opens the state file when policies are assigned or it exists
// already (there may be policies to forget); else it returns nil.
func (s *fimScans) open(assigned bool) (*fim.State, error) {
	if !assigned {
		if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return fim.OpenState(s.path)
}

// reconcile makes the runners match ps: a runner per policy, told of a
// changed policy; runners of policies no longer assigned stopped and
// their baselines forgotten (also those left from an earlier run).
func (s *fimScans) reconcile(ctx context.Context, st *fim.State, runners map[string]*fimRunner, ps []wire.FIMPolicy, stopped chan<- error) {
	assigned := make(map[string]bool, len(ps))
	for _, p := range ps {
		assigned[p.ID] = true
	}
	for id, r := range runners {
		if !assigned[id] {
			r.stop()
			delete(runners, id)
		}
	}
	for _, p := range ps {
		r, ok := runners[p.ID]
		if ok && (!r.ended() || samePolicy(r.current(), p)) {
			r.update(p)
			continue
		}
		// New, or ended (the server said the policy was gone) and now
		// assigned anew with other settings.
		runners[p.ID] = s.start(ctx, st, p, stopped)
	}
	held, err := st.Policies()
	if err != nil {
		s.log.Error("list file integrity policies", "err", err)
		return
	}
	for _, id := range held {
		if assigned[id] {
			continue
		}
		if err := st.Forget(id); err != nil {
			s.log.Error("forget file integrity policy", "fim_policy", id, "err", err)
			continue
		}
		// Logged at warning: the agent's baseline of it is gone. Should the
		// policy come back, the server compares the new baseline with the
		// copy it kept, so nothing changed meanwhile is absorbed.
		s.log.Warn("file integrity policy no longer assigned: its local baseline is dropped; if assigned again, its first scan is compared with the server's copy", "fim_policy", id)
	}
}

// start runs a runner for p until it ends or is stopped.
func (s *fimScans) start(ctx context.Context, st *fim.State, p wire.FIMPolicy, stopped chan<- error) *fimRunner {
	ctx, cancel := context.WithCancel(ctx)
	r := &fimRunner{
		scans: s, st: st, policy: p, cancel: cancel,
		log:     s.log.With("fim_policy", p.ID),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		firstAt: time.Now().Add(jitter(s.firstJitter)),
	}
	go func() {
		defer close(r.done)
		if err := r.run(ctx); err != nil {
			select {
			case stopped <- err:
			default:
			}
		}
	}()
	return r
}

// postFIMReport is the agent's postReport: one POST over its mutual-TLS
// client, bounded by fimReportTimeout.
func (a *agent) postFIMReport(ctx context.Context, r *wire.FIMReport) (wire.FIMAck, error) {
	ctx, cancel := context.WithTimeout(ctx, fimReportTimeout)
	defer cancel()
	var ack wire.FIMAck
	if _, err := a.api.post(ctx, wire.PathFIMReport, r, wire.MaxAckBody, &ack); err != nil {
		return wire.FIMAck{}, err
	}
	return ack, nil
}

// fimReportTimeout bounds one report request, the server's commit
// included.
const fimReportTimeout = 2 * time.Minute

// errFIMRefused wraps a report the server refused as bad: the scan stops
// and is tried again later rather than resent at once.
var errFIMRefused = errors.New("agent: the server refused a file integrity report")

func refused(err error) error { return fmt.Errorf("%w: %w", errFIMRefused, err) }
