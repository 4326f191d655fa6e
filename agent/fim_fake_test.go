package agent

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fimServer plays the server's side of PathFIMReport as the store does:
// a mirror of each policy's objects, a resend of a committed (epoch, scan, seq)
// acknowledged without applying it again, baseline report 1 dropping the
// mirror. Tests make it fail, block or refuse.
type fimServer struct {
	t *testing.T

	mu        sync.Mutex
	reports   []wire.FIMReport // every report received, resends included
	committed map[string]map[reportKey]bool
	mirror    map[string]map[string]fim.Object
	changes   map[string][]fim.Change // non-baseline changes, by policy
	done      map[string][]wire.FIMReport
	failNext  []string            // codes to answer the next requests with, in turn
	gone      map[string]bool     // policies answered 410
	block     map[string]chan int // a report of the policy waits for a value (or ctx)
	active    int                 // requests in progress
	maxActive int
	got       chan struct{} // signalled on every request
}

// reportKey is what the server deduplicates reports by: scan numbers
// count within the epoch of the agent's state file.
type reportKey struct {
	epoch string
	scan  uint64
	seq   uint32
}

func newFIMServer(t *testing.T) *fimServer {
	return &fimServer{
		t: t, committed: map[string]map[reportKey]bool{}, mirror: map[string]map[string]fim.Object{},
		changes: map[string][]fim.Change{}, done: map[string][]wire.FIMReport{}, gone: map[string]bool{},
		block: map[string]chan int{}, got: make(chan struct{}, 10000),
	}
}

// post is a postReport answering in process.
func (s *fimServer) post(ctx context.Context, r *wire.FIMReport) (wire.FIMAck, error) {
	if err := r.Validate(); err != nil {
		s.t.Errorf("agent sent an invalid report: %v", err)
		return wire.FIMAck{}, &wire.Error{Message: err.Error(), Code: wire.CodeBadRequest}
	}
	s.mu.Lock()
	s.active++
	s.maxActive = max(s.maxActive, s.active)
	s.reports = append(s.reports, *r)
	block := s.block[r.PolicyID]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
		select {
		case s.got <- struct{}{}:
		default:
		}
	}()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return wire.FIMAck{}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		return wire.FIMAck{}, &wire.Error{Message: "refused by the fake", Code: code}
	}
	if s.gone[r.PolicyID] {
		return wire.FIMAck{}, &wire.Error{Message: "policy gone", Code: wire.CodePolicyGone}
	}
	s.apply(r)
	return wire.FIMAck{PolicyID: r.PolicyID, Scan: r.Scan, Seq: r.Seq}, nil
}

// apply commits r once.
func (s *fimServer) apply(r *wire.FIMReport) {
	key := reportKey{r.Epoch, r.Scan, r.Seq}
	if s.committed[r.PolicyID] == nil {
		s.committed[r.PolicyID] = map[reportKey]bool{}
	}
	if s.committed[r.PolicyID][key] {
		return
	}
	s.committed[r.PolicyID][key] = true
	if r.Baseline && r.Seq == 1 || s.mirror[r.PolicyID] == nil {
		s.mirror[r.PolicyID] = map[string]fim.Object{}
	}
	m := s.mirror[r.PolicyID]
	for _, c := range r.Changes {
		if c.Kind == fim.Removed {
			delete(m, c.Path)
		} else {
			m[c.Path] = *c.After
		}
		if !r.Baseline {
			s.changes[r.PolicyID] = append(s.changes[r.PolicyID], c)
		}
	}
	if r.Done {
		s.done[r.PolicyID] = append(s.done[r.PolicyID], *r)
	}
}

func (s *fimServer) set(fn func(s *fimServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// waitDone waits until n scans of the policy finished on the server and
// returns their last reports.
func (s *fimServer) waitDone(policy string, n int, timeout time.Duration) []wire.FIMReport {
	s.t.Helper()
	var got []wire.FIMReport
	s.waitFor(fmt.Sprintf("%d finished scans of %s", n, policy), timeout, func() bool {
		got = append([]wire.FIMReport(nil), s.done[policy]...)
		return len(got) >= n
	})
	return got
}

// waitFor waits until cond, called with s.mu held, is true.
// waitForReport waits until a report received matches.
func (s *fimServer) waitForReport(what string, timeout time.Duration, match func(r wire.FIMReport) bool) {
	s.t.Helper()
	s.waitFor(what, timeout, func() bool { return slices.ContainsFunc(s.reports, match) })
}

func (s *fimServer) waitFor(what string, timeout time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.got:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			s.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// countLocked counts the reports received for the policy; s.mu is held.
func (s *fimServer) countLocked(policy string) int {
	n := 0
	for _, r := range s.reports {
		if r.PolicyID == policy {
			n++
		}
	}
	return n
}

// reportsOf returns the reports received for the policy.
func (s *fimServer) reportsOf(policy string) []wire.FIMReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []wire.FIMReport
	for _, r := range s.reports {
		if r.PolicyID == policy {
			out = append(out, r)
		}
	}
	return out
}

// handler serves PathFIMReport for the fake gateway.
func (s *fimServer) handler(f *fakeGateway) http.HandlerFunc {
	return f.mtls(func(w http.ResponseWriter, r *http.Request) {
		var rep wire.FIMReport
		if err := wire.Decode(r.Body, wire.MaxFIMReportBody, &rep); err != nil {
			f.fail(w, wire.CodeBadRequest)
			return
		}
		ack, err := s.post(r.Context(), &rep)
		if err != nil {
			f.fail(w, wireCode(err))
			return
		}
		_ = wire.Encode(w, &ack)
	})
}
