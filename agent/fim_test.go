package agent

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fimRun runs a fimScans on a state file in dir against srv until the
// test ends or stop is called.
type fimRun struct {
	s        *fimScans
	path     string
	cancel   context.CancelFunc
	finished chan struct{} // closed when run returned
	err      error         // what run returned, once finished
}

func startFIMScans(t *testing.T, dir string, srv *fimServer) *fimRun {
	t.Helper()
	path := filepath.Join(dir, fimFile)
	s := newFIMScans(path, srv.post, backoffRange{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}, time.Millisecond, testLog(t))
	s.failRetry = backoffRange{Min: 20 * time.Millisecond, Max: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	r := &fimRun{s: s, path: path, cancel: cancel, finished: make(chan struct{})}
	go func() {
		defer close(r.finished)
		r.err = s.run(ctx)
	}()
	t.Cleanup(func() {
		if err := r.stop(); err != nil && !errors.Is(err, errStopped) {
			t.Errorf("fim scans: %v", err)
		}
	})
	return r
}

// stop cancels run and returns what it returned.
func (r *fimRun) stop() error {
	r.cancel()
	select {
	case <-r.finished:
	case <-time.After(10 * time.Second):
		panic("fim scans did not stop within 10 s")
	}
	return r.err
}

// assignWait hands ps over and waits until they were acted on.
func (r *fimRun) assignWait(t *testing.T, ps ...wire.FIMPolicy) {
	t.Helper()
	n := r.s.applied.Load()
	r.s.assign(ps)
	eventually(t, "assignments acted on", func() bool { return r.s.applied.Load() > n })
}

// fimTree makes a small tree in a new directory and returns its path.
func fimTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "one")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sub", "b.txt"), "two")
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func policyOf(id string, paths ...string) wire.FIMPolicy {
	return wire.FIMPolicy{ID: id, Revision: "r1", Paths: paths, Interval: wire.Duration(time.Hour)}
}

// kinds lists changes as "kind path-below-dir", sorted.
func kinds(dir string, cs []fim.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+" "+strings.TrimPrefix(c.Path, dir))
	}
	slices.Sort(out)
	return out
}

func TestFIMBaselineThenExactChanges(t *testing.T) {
	srv := newFIMServer(t)
	dir := fimTree(t)
	run := startFIMScans(t, t.TempDir(), srv)
	p := policyOf("p1", dir)
	run.s.assign([]wire.FIMPolicy{p})

	base := srv.waitDone("p1", 1, 20*time.Second)[0]
	if !base.Baseline || base.Progress.Objects != 4 {
		t.Fatalf("first scan: baseline %v with %d objects, want a baseline of 4", base.Baseline, base.Progress.Objects)
	}
	srv.set(func(s *fimServer) {
		if n := len(s.mirror["p1"]); n != 4 {
			t.Fatalf("server mirror holds %d objects after the baseline, want 4", n)
		}
		if len(s.changes["p1"]) != 0 {
			t.Fatalf("baseline reported changes: %v", s.changes["p1"])
		}
	})

	write(t, filepath.Join(dir, "a.txt"), "one, edited")
	write(t, filepath.Join(dir, "c.txt"), "new")
	if err := os.Remove(filepath.Join(dir, "sub", "b.txt")); err != nil {
		t.Fatal(err)
	}
	p.ScanRequest = 1
	run.s.assign([]wire.FIMPolicy{p})
	last := srv.waitDone("p1", 2, 20*time.Second)[1]
	if last.Baseline || last.Scan <= base.Scan {
		t.Fatalf("second scan %d baseline %v, want a normal scan after %d", last.Scan, last.Baseline, base.Scan)
	}
	var got []string
	srv.set(func(s *fimServer) { got = kinds(dir, s.changes["p1"]) })
	want := []string{"added /c.txt", "modified /a.txt", "modified /sub", "removed /sub/b.txt"}
	if !slices.Equal(got, want) && !slices.Equal(got, slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "modified /sub" })) {
		t.Fatalf("changes %q, want %q (the directory's mtime may or may not be watched)", got, want)
	}

	// The request was acted on: the same assignment again scans no more.
	run.assignWait(t, p)
	time.Sleep(200 * time.Millisecond)
	if n := len(srv.reportsOf("p1")); n != 2 {
		t.Fatalf("%d reports after the request was acted on, want still 2", n)
	}
}

func TestFIMUnassignedPolicyIsForgotten(t *testing.T) {
	srv := newFIMServer(t)
	run := startFIMScans(t, t.TempDir(), srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", fimTree(t)), policyOf("p2", fimTree(t))})
	srv.waitDone("p1", 1, 20*time.Second)
	srv.waitDone("p2", 1, 20*time.Second)
	run.assignWait(t, policyOf("p2", fimTree(t)))
	if err := run.stop(); err != nil {
		t.Fatal(err)
	}
	st, err := fim.OpenState(run.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids, err := st.Policies()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"p2"}) {
		t.Fatalf("state holds policies %q after p1 was unassigned, want only p2", ids)
	}
}

func TestFIMOneScanAtATime(t *testing.T) {
	srv := newFIMServer(t)
	release := make(chan int)
	srv.set(func(s *fimServer) { s.block["p1"] = release })
	run := startFIMScans(t, t.TempDir(), srv)
	p1 := policyOf("p1", fimTree(t))
	run.s.assign([]wire.FIMPolicy{p1})
	srv.waitFor("p1's first report", 10*time.Second, func() bool { return srv.countLocked("p1") > 0 })
	run.s.assign([]wire.FIMPolicy{p1, policyOf("p2", fimTree(t))})
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.reportsOf("p2")); n != 0 {
		t.Fatalf("p2 sent %d reports while p1's scan was running", n)
	}
	close(release)
	srv.waitDone("p1", 1, 20*time.Second)
	srv.waitDone("p2", 1, 20*time.Second)
	srv.set(func(s *fimServer) {
		if s.maxActive != 1 {
			t.Fatalf("%d reports were in flight at once, want 1", s.maxActive)
		}
	})
}

func TestFIMRetriesUntilAcknowledged(t *testing.T) {
	srv := newFIMServer(t)
	srv.set(func(s *fimServer) {
		s.failNext = []string{wire.CodeUnavailable, wire.CodeInternal, wire.CodeUnavailable}
	})
	run := startFIMScans(t, t.TempDir(), srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", fimTree(t))})
	done := srv.waitDone("p1", 1, 20*time.Second)
	reps := srv.reportsOf("p1")
	if len(reps) < 4 {
		t.Fatalf("%d reports, want at least 3 failed attempts and the acknowledged one", len(reps))
	}
	for _, r := range reps[:4] {
		if r.Scan != done[0].Scan || r.Seq != 1 {
			t.Fatalf("a retry was sent as scan %d seq %d, want the same report (scan %d seq 1)", r.Scan, r.Seq, done[0].Scan)
		}
	}
}

func TestFIMPolicyGoneStopsItsRunner(t *testing.T) {
	srv := newFIMServer(t)
	srv.set(func(s *fimServer) { s.gone["p1"] = true })
	run := startFIMScans(t, t.TempDir(), srv)
	p := policyOf("p1", fimTree(t))
	p.Interval = wire.Duration(wire.MinFIMInterval)
	run.s.assign([]wire.FIMPolicy{p, policyOf("p2", fimTree(t))})
	srv.waitDone("p2", 1, 20*time.Second)
	srv.waitFor("p1 refused", 10*time.Second, func() bool { return srv.countLocked("p1") > 0 })
	time.Sleep(300 * time.Millisecond)
	n := len(srv.reportsOf("p1"))
	if n != 1 {
		t.Fatalf("p1 sent %d reports, want 1: a 410 is not retried", n)
	}
	// The same assignment again does not restart it; a changed one does.
	run.assignWait(t, p, policyOf("p2", fimTree(t)))
	time.Sleep(200 * time.Millisecond)
	if got := len(srv.reportsOf("p1")); got != n {
		t.Fatalf("p1 sent %d more reports after the same assignment", got-n)
	}
	srv.set(func(s *fimServer) { s.gone["p1"] = false })
	p.Revision = "r2"
	run.s.assign([]wire.FIMPolicy{p})
	srv.waitDone("p1", 1, 20*time.Second)
}

func TestFIMRevokedStopsEverything(t *testing.T) {
	srv := newFIMServer(t)
	srv.set(func(s *fimServer) { s.failNext = []string{wire.CodeRevoked} })
	run := startFIMScans(t, t.TempDir(), srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", fimTree(t))})
	select {
	case <-run.finished:
		if !errors.Is(run.err, errStopped) {
			t.Fatalf("run returned %v, want errStopped", run.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a revoked agent kept scanning")
	}
}

// TestFIMStopAndResume: an agent stopped in the middle of a baseline
// stops at once; started again, it makes a new, whole baseline.
func TestFIMStopAndResume(t *testing.T) {
	srv := newFIMServer(t)
	block := make(chan int)
	srv.set(func(s *fimServer) { s.block["p1"] = block })
	state, dir := t.TempDir(), fimTree(t)
	run := startFIMScans(t, state, srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", dir)})
	srv.waitFor("p1's first report", 10*time.Second, func() bool { return srv.countLocked("p1") > 0 })
	start := time.Now()
	if err := run.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stopping took %s", d)
	}
	first := srv.reportsOf("p1")[0]

	srv.set(func(s *fimServer) { delete(s.block, "p1") })
	run = startFIMScans(t, state, srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", dir)})
	done := srv.waitDone("p1", 1, 20*time.Second)[0]
	if !done.Baseline || done.Scan <= first.Scan || done.Progress.Objects != 4 {
		t.Fatalf("after the restart: scan %d baseline %v objects %d, want a new baseline (after scan %d) of 4", done.Scan, done.Baseline, done.Progress.Objects, first.Scan)
	}
}

// TestFIMInterruptedRebaselineResumesAtOnce: an agent stopped during the
// baseline of a new revision takes it again as soon as it is back, not at
// the interval after the old revision's last scan.
func TestFIMInterruptedRebaselineResumesAtOnce(t *testing.T) {
	srv := newFIMServer(t)
	state, dir := t.TempDir(), fimTree(t)
	run := startFIMScans(t, state, srv)
	run.s.assign([]wire.FIMPolicy{policyOf("p1", dir)})
	srv.waitDone("p1", 1, 20*time.Second)

	block := make(chan int)
	srv.set(func(s *fimServer) { s.block["p1"] = block })
	edited := policyOf("p1", dir)
	edited.Revision = "r2"
	run.s.assign([]wire.FIMPolicy{edited})
	srv.waitForReport("the new baseline's first report", 20*time.Second, func(r wire.FIMReport) bool {
		return r.PolicyID == "p1" && r.Revision == "r2"
	})
	if err := run.stop(); err != nil {
		t.Fatal(err)
	}

	srv.set(func(s *fimServer) { delete(s.block, "p1") })
	run = startFIMScans(t, state, srv)
	run.s.assign([]wire.FIMPolicy{edited})
	done := srv.waitDone("p1", 2, 20*time.Second)
	if last := done[len(done)-1]; !last.Baseline || last.Revision != "r2" {
		t.Fatalf("after the restart: %+v, want a finished baseline of r2", last)
	}
}

// TestFIMInterruptedScanRunsAgainAtOnce: a scan cut short by a restart
// (here one a person asked for after a change) runs again as soon as the
// agent is back, not an interval after the last scan that completed.
func TestFIMInterruptedScanRunsAgainAtOnce(t *testing.T) {
	srv := newFIMServer(t)
	state, dir := t.TempDir(), fimTree(t)
	run := startFIMScans(t, state, srv)
	p := policyOf("p1", dir)
	run.s.assign([]wire.FIMPolicy{p})
	base := srv.waitDone("p1", 1, 20*time.Second)[0]

	write(t, filepath.Join(dir, "a.txt"), "changed")
	block := make(chan int)
	srv.set(func(s *fimServer) { s.block["p1"] = block })
	p.ScanRequest = 1
	run.s.assign([]wire.FIMPolicy{p})
	srv.waitForReport("the requested scan's first report", 20*time.Second, func(r wire.FIMReport) bool {
		return r.PolicyID == "p1" && r.Scan > base.Scan
	})
	if err := run.stop(); err != nil {
		t.Fatal(err)
	}

	srv.set(func(s *fimServer) { delete(s.block, "p1") })
	run = startFIMScans(t, state, srv)
	run.s.assign([]wire.FIMPolicy{p}) // the same request: acted on already
	done := srv.waitDone("p1", 2, 20*time.Second)
	last := done[len(done)-1]
	var got []string
	for _, r := range srv.reportsOf("p1") {
		if r.Scan == last.Scan {
			got = append(got, kinds(dir, r.Changes)...)
		}
	}
	if last.Baseline || !slices.Equal(got, []string{"modified /a.txt"}) {
		t.Fatalf("after the restart: scan %d baseline %v changes %q, want the change reported", last.Scan, last.Baseline, got)
	}
}

// TestFIMPolicyChangeCancelsScan: a new revision stops the running scan
// and starts a new baseline with it.
func TestFIMPolicyChangeCancelsScan(t *testing.T) {
	srv := newFIMServer(t)
	block := make(chan int)
	srv.set(func(s *fimServer) { s.block["p1"] = block })
	run := startFIMScans(t, t.TempDir(), srv)
	p := policyOf("p1", fimTree(t))
	run.s.assign([]wire.FIMPolicy{p})
	srv.waitFor("p1's first report", 10*time.Second, func() bool { return srv.countLocked("p1") > 0 })
	srv.set(func(s *fimServer) { delete(s.block, "p1") })
	p.Revision = "r2"
	run.s.assign([]wire.FIMPolicy{p})
	done := srv.waitDone("p1", 1, 20*time.Second)[0]
	if done.Revision != "r2" || !done.Baseline {
		t.Fatalf("finished scan has revision %q baseline %v, want a baseline of r2", done.Revision, done.Baseline)
	}
}

// TestAgentRunsFIMPolicies: the assignments the agent polls carry FIM
// policies; their reports go over mutual TLS to PathFIMReport.
func TestAgentRunsFIMPolicies(t *testing.T) {
	f := newFakeGateway(t)
	srv := newFIMServer(t)
	f.srv.Config.Handler.(interface {
		HandleFunc(string, func(http.ResponseWriter, *http.Request))
	}).HandleFunc("POST "+wire.PathFIMReport, srv.handler(f))
	cfg := testConfig(t, f)
	cfg.fimFirstJitter = time.Millisecond
	dir := fimTree(t)
	f.set(func(f *fakeGateway) {
		f.assignments = wire.Assignments{Version: "v1", Wait: wire.Duration(time.Second), FIM: []wire.FIMPolicy{policyOf("p1", dir)}}
	})
	startAgent(t, f, cfg)
	base := srv.waitDone("p1", 1, 20*time.Second)[0]
	if !base.Baseline || base.Progress.Objects != 4 {
		t.Fatalf("baseline %v of %d objects, want a baseline of 4", base.Baseline, base.Progress.Objects)
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDir, fimFile)); err != nil {
		t.Fatalf("no state file: %v", err)
	}
}

// TestFIMReportsCarryTheStateEpoch: every report names the state file's
// epoch; the same file keeps it across restarts, a state file deleted and
// created anew has another (its scan numbers start again at 1).
func TestFIMReportsCarryTheStateEpoch(t *testing.T) {
	srv := newFIMServer(t)
	state, dir := t.TempDir(), fimTree(t)
	epochs := func() []string {
		var out []string
		for _, r := range srv.reportsOf("p1") {
			if !slices.Contains(out, r.Epoch) {
				out = append(out, r.Epoch)
			}
		}
		return out
	}
	scanOnce := func(n int) {
		t.Helper()
		run := startFIMScans(t, state, srv)
		run.s.assign([]wire.FIMPolicy{policyOf("p1", dir)})
		srv.waitDone("p1", n, 20*time.Second)
		if err := run.stop(); err != nil {
			t.Fatal(err)
		}
	}
	scanOnce(1)
	first := epochs()
	if len(first) != 1 || len(first[0]) != wire.EpochLen {
		t.Fatalf("epochs of the first scan %q, want one of %d hex digits", first, wire.EpochLen)
	}
	st, err := fim.OpenState(filepath.Join(state, fimFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Epoch() != first[0] {
		t.Fatalf("reports carry epoch %q, the state file's is %q", first[0], st.Epoch())
	}
	st.Close()

	if err := os.Remove(filepath.Join(state, fimFile)); err != nil {
		t.Fatal(err)
	}
	scanOnce(2)
	got := epochs()
	if len(got) != 2 || got[1] == first[0] {
		t.Fatalf("epochs after the state file was recreated %q, want a second one", got)
	}
	last := srv.reportsOf("p1")
	if r := last[len(last)-1]; r.Scan != 1 || !r.Baseline {
		t.Fatalf("recreated state's scan %d baseline %v, want scan 1, a baseline", r.Scan, r.Baseline)
	}
}
