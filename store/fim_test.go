package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	bolt "go.etcd.io/bbolt"
)

// newTestFIMPolicy stores a policy on /srv for the tests.
func newTestFIMPolicy(t *testing.T, db *DB) FIMPolicy {
	t.Helper()
	p := FIMPolicy{Name: "web", Agents: []string{"web1"}, Paths: []string{"/srv"}, Interval: time.Hour}
	if err := db.CreateFIMPolicy(&p, testActor); err != nil {
		t.Fatalf("create policy: %v", err)
	}
	return p
}

func TestFIMPolicyLifecycle(t *testing.T) {
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	if p.ID == "" || p.Revision == "" || p.CreatedAt.IsZero() {
		t.Fatalf("created policy lacks id, revision or time: %+v", p)
	}
	if e := lastAudit(t, db); e.Action != "fim_policy.create" || e.Target != "fim_policy:"+p.ID || e.Actor != "alice" {
		t.Errorf("audit = %s %s by %s", e.Action, e.Target, e.Actor)
	}

	rev := p.Revision
	p.Interval = 2 * time.Hour
	p.Severity = []FIMSeverityRule{{Pattern: "/srv/**", Severity: FIMHigh}}
	if err := db.UpdateFIMPolicy(&p, testActor); err != nil {
		t.Fatal(err)
	}
	if p.Revision != rev {
		t.Errorf("interval and severity changed the revision: %s → %s", rev, p.Revision)
	}
	p.Exclude = []string{"/srv/cache/**"}
	if err := db.UpdateFIMPolicy(&p, testActor); err != nil {
		t.Fatal(err)
	}
	if p.Revision == rev || p.ScanRequest != 1 {
		t.Errorf("a new exclude kept the revision %s or did not ask for a scan (%d)", rev, p.ScanRequest)
	}
	if e := lastAudit(t, db); e.Action != "fim_policy.update" || !strings.Contains(string(e.Before), `"interval":"2h"`) {
		t.Errorf("update audit = %s, before %s", e.Action, e.Before)
	}

	got, err := db.RequestFIMScan(p.ID, testActor)
	if err != nil || got.ScanRequest != 2 {
		t.Fatalf("scan request = %d, %v; want 2", got.ScanRequest, err)
	}
	p.ScanRequest = 0 // an update does not take the scan request back
	if err := db.UpdateFIMPolicy(&p, testActor); err != nil || p.ScanRequest != 2 {
		t.Errorf("after update scan request = %d, %v", p.ScanRequest, err)
	}

	all, err := db.FIMPolicies()
	if err != nil || len(all) != 1 || all[0].Name != "web" {
		t.Fatalf("policies = %+v, %v", all, err)
	}
	if err := db.DeleteFIMPolicy(p.ID, testActor); err != nil {
		t.Fatal(err)
	}
	_, err = db.FIMPolicy(p.ID)
	wantErr(t, err, ErrNotFound)
	wantErr(t, db.DeleteFIMPolicy(p.ID, testActor), ErrNotFound)
	wantErr(t, db.UpdateFIMPolicy(&FIMPolicy{ID: "nope"}, testActor), ErrNotFound)
	if e := lastAudit(t, db); e.Action != "fim_policy.delete" {
		t.Errorf("audit = %s", e.Action)
	}
}

// Epochs of an agent's local state in the tests.
const (
	epochA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	epochB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// report builds a report of policy p's current revision, in epochA.
func report(p FIMPolicy, scan uint64, seq uint32, baseline, done bool, changes ...fim.Change) *wire.FIMReport {
	return &wire.FIMReport{PolicyID: p.ID, Revision: p.Revision, Epoch: epochA, Scan: scan, Seq: seq, Baseline: baseline, Done: done,
		Started: time.Unix(1000, 0), Changes: changes, Progress: fim.Progress{Objects: uint64(len(changes))}}
}

func file(sum string, size int64) *fim.Object {
	return &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat(sum, 64/len(sum)), Size: size, Mode: 0o644, MTime: time.Unix(100, 0)}
}

func added(path string, o *fim.Object) fim.Change {
	return fim.Change{Path: path, Kind: fim.Added, After: o}
}
func removed(path string, o *fim.Object) fim.Change {
	return fim.Change{Path: path, Kind: fim.Removed, Before: o}
}
func modified(path string, before, after *fim.Object, attrs ...string) fim.Change {
	return fim.Change{Path: path, Kind: fim.Modified, Before: before, After: after, Attrs: attrs}
}

func severityOf(path string) string {
	if strings.HasPrefix(path, "/srv/bin/") {
		return FIMCritical
	}
	if strings.HasSuffix(path, ".log") {
		return FIMLow
	}
	return "" // the default
}

func mustApply(t *testing.T, db *DB, agent string, r *wire.FIMReport) FIMApplied {
	t.Helper()
	a, err := db.ApplyFIMReport(agent, r, severityOf, time.Unix(5000, 0))
	if err != nil {
		t.Fatalf("apply scan %d report %d: %v", r.Scan, r.Seq, err)
	}
	return a
}

func changePaths(cs []FIMChange) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Change+" "+c.Path+" "+c.Severity)
	}
	return strings.Join(out, ", ")
}

func TestApplyFIMReport(t *testing.T) {
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	a, b := file("a", 10), file("b", 20)

	// The baseline: two reports, no change records.
	got := mustApply(t, db, "7", report(p, 1, 1, true, false, added("/srv", &fim.Object{Type: fim.TypeDir}), added("/srv/a", a)))
	if len(got.Changes) != 0 || got.State.Objects != 2 || got.State.Bytes != 10 {
		t.Fatalf("baseline 1: changes %s, state %+v", changePaths(got.Changes), got.State)
	}
	got = mustApply(t, db, "7", report(p, 1, 2, true, true, added("/srv/b.log", b)))
	if got.State.Objects != 3 || got.State.Bytes != 30 || got.State.BaselineAt.IsZero() || got.State.LastScanAt.IsZero() {
		t.Fatalf("baseline done: state %+v", got.State)
	}

	// A normal scan: one of each kind, with severities.
	a2 := file("c", 15)
	got = mustApply(t, db, "7", report(p, 2, 1, false, true,
		modified("/srv/a", a, a2, fim.AttrSHA256, fim.AttrSize), removed("/srv/b.log", b), added("/srv/bin/sh", a)))
	if want := "modified /srv/a medium, removed /srv/b.log low, added /srv/bin/sh critical"; changePaths(got.Changes) != want {
		t.Errorf("changes = %s, want %s", changePaths(got.Changes), want)
	}
	if got.State.Objects != 3 || got.State.Bytes != 25 || got.State.OpenChanges != 3 {
		t.Errorf("state = %+v", got.State)
	}

	t.Run("resend of a committed report", func(t *testing.T) {
		got := mustApply(t, db, "7", report(p, 2, 1, false, true, added("/srv/new", a)))
		if !got.Duplicate || len(got.Changes) != 0 {
			t.Errorf("applied = %+v, want a duplicate", got)
		}
		got = mustApply(t, db, "7", report(p, 1, 2, true, true))
		if !got.Duplicate {
			t.Errorf("an older baseline report was applied again")
		}
	})
	t.Run("agent crashed after the ack: same changes in a new scan", func(t *testing.T) {
		got := mustApply(t, db, "7", report(p, 3, 1, false, true,
			modified("/srv/a", a, a2, fim.AttrSHA256), removed("/srv/b.log", b), added("/srv/bin/sh", a)))
		if got.Duplicate || len(got.Changes) != 0 {
			t.Errorf("changes = %s, want none", changePaths(got.Changes))
		}
		if got.State.LastScan != 3 || got.State.OpenChanges != 3 {
			t.Errorf("state = %+v", got.State)
		}
	})
	t.Run("open counts", func(t *testing.T) {
		counts, err := db.FIMOpenCounts("7")
		if err != nil || counts[FIMCritical] != 1 || counts[FIMMedium] != 1 || counts[FIMLow] != 1 {
			t.Errorf("counts = %v, %v", counts, err)
		}
		if counts, _ := db.FIMOpenCounts("77"); len(counts) != 0 {
			t.Errorf("agent 77 has counts %v", counts)
		}
	})
	t.Run("stale revision", func(t *testing.T) {
		r := report(p, 4, 1, false, false)
		r.Revision = "old"
		_, err := db.ApplyFIMReport("7", r, severityOf, time.Now())
		wantErr(t, err, ErrFIMRevision)
		r = report(p, 4, 1, false, false)
		r.PolicyID = "999"
		_, err = db.ApplyFIMReport("7", r, severityOf, time.Now())
		wantErr(t, err, ErrNotFound)
	})
	t.Run("an agent that lost its state: its baseline is compared, not taken", func(t *testing.T) {
		r := report(p, 1, 1, true, true, added("/srv/a", a2))
		r.Epoch = epochB
		got := mustApply(t, db, "7", r)
		if got.Duplicate || !got.Reset || got.State.Reset != FIMResetMessage || got.State.ResetAt.IsZero() {
			t.Errorf("applied = %+v, want a compared baseline flagged as a reset", got)
		}
		// The mirror had /srv/a as a2 (same: no record), /srv/b.log gone
		// already; /srv and /srv/bin/sh are not in the new baseline.
		if changePaths(got.Changes) != "removed /srv medium, removed /srv/bin/sh critical" {
			t.Errorf("changes = %s, want the objects the agent no longer has", changePaths(got.Changes))
		}
		if got.State.Objects != 1 || got.State.Bytes != 15 || got.State.OpenChanges != 5 || got.State.Epoch != epochB {
			t.Errorf("state = %+v", got.State)
		}
	})
}

func TestFIMLostStateIsCompared(t *testing.T) {
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	a, b, c, b2 := file("a", 1), file("b", 2), file("c", 3), file("d", 4)
	mustApply(t, db, "1", report(p, 1, 1, true, false, added("/srv/a", a), added("/srv/b", b)))
	got := mustApply(t, db, "1", report(p, 1, 2, true, true, added("/srv/c", c)))
	if len(got.Changes) != 0 || got.State.BaselineRevision != p.Revision || got.Reset {
		t.Fatalf("first baseline: %s, state %+v", changePaths(got.Changes), got.State)
	}
	mustApply(t, db, "1", report(p, 2, 1, false, true))

	// The agent's fim.db is deleted; meanwhile /srv/b changed, /srv/c
	// went and /srv/new came. Its new state numbers from scan 1 again.
	lost := func(seq uint32, done bool, changes ...fim.Change) *wire.FIMReport {
		r := report(p, 1, seq, true, done, changes...)
		r.Epoch = epochB
		return r
	}
	got = mustApply(t, db, "1", lost(1, false, added("/srv/a", a), added("/srv/b", b2)))
	if !got.Reset || changePaths(got.Changes) != "modified /srv/b medium" || got.Changes[0].Before.SHA256 != b.SHA256 {
		t.Fatalf("report 1: reset %v, changes %s", got.Reset, changePaths(got.Changes))
	}
	if want := []string{fim.AttrSHA256, fim.AttrSize}; fmt.Sprint(got.Changes[0].Attrs) != fmt.Sprint(want) {
		t.Errorf("attrs = %v, want %v", got.Changes[0].Attrs, want)
	}
	got = mustApply(t, db, "1", lost(2, true, added("/srv/new", a)))
	if changePaths(got.Changes) != "added /srv/new medium, removed /srv/c medium" {
		t.Errorf("report 2: changes %s", changePaths(got.Changes))
	}
	if got.State.Objects != 3 || got.State.OpenChanges != 3 || got.State.Comparing || got.State.BaselineScan != 0 {
		t.Errorf("state = %+v", got.State)
	}
	var seenLeft bool
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		seenLeft = tx.Bucket(bucketFIMSeen).Bucket(fimPairKey(p.ID, "1")) != nil
		return nil
	})
	if seenLeft {
		t.Error("the seen paths of the comparison were kept after its end")
	}

	t.Run("a baseline of a new revision is taken without changes", func(t *testing.T) {
		p.Exclude = []string{"/srv/cache/**"}
		if err := db.UpdateFIMPolicy(&p, testActor); err != nil {
			t.Fatal(err)
		}
		got := mustApply(t, db, "1", report(p, 1, 1, true, true, added("/srv/z", c)))
		if len(got.Changes) != 0 || got.Reset || got.State.Objects != 1 || got.State.BaselineRevision != p.Revision {
			t.Errorf("changes %s, state %+v", changePaths(got.Changes), got.State)
		}
	})
	t.Run("a baseline after one that never completed is taken", func(t *testing.T) {
		mustApply(t, db, "2", report(p, 1, 1, true, false, added("/srv/a", a)))
		r := report(p, 2, 1, true, true, added("/srv/b", b))
		got := mustApply(t, db, "2", r)
		if len(got.Changes) != 0 || got.Reset || got.State.Objects != 1 {
			t.Errorf("changes %s, state %+v", changePaths(got.Changes), got.State)
		}
	})
	t.Run("an interrupted comparison starts over", func(t *testing.T) {
		r := report(p, 1, 1, true, false, added("/srv/z", c), added("/srv/y", a))
		r.Epoch = epochB
		got := mustApply(t, db, "1", r)
		if changePaths(got.Changes) != "added /srv/y medium" {
			t.Errorf("changes %s", changePaths(got.Changes))
		}
		// The agent restarts the baseline as scan 2: /srv/y is seen no more.
		r = report(p, 2, 1, true, true, added("/srv/z", c))
		r.Epoch = epochB
		got = mustApply(t, db, "1", r)
		if changePaths(got.Changes) != "removed /srv/y medium" || got.State.Objects != 1 {
			t.Errorf("changes %s, state %+v", changePaths(got.Changes), got.State)
		}
	})
}

func TestFIMStaleReportIsAcknowledged(t *testing.T) {
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	a := file("a", 1)
	mustApply(t, db, "1", report(p, 1, 1, true, true, added("/srv/a", a)))
	mustApply(t, db, "1", report(p, 2, 1, false, true, modified("/srv/a", a, file("b", 2), fim.AttrSHA256)))
	// A delayed request of the first baseline arrives late: same epoch,
	// an older scan. It must not drop the mirror or the change.
	got := mustApply(t, db, "1", report(p, 1, 1, true, false))
	if !got.Duplicate || got.State.Objects != 1 || got.State.OpenChanges != 1 {
		t.Errorf("stale report 1: %+v", got)
	}
	got = mustApply(t, db, "1", report(p, 2, 1, false, true))
	if !got.Duplicate {
		t.Error("a resend of the last report was applied again")
	}
	r := report(p, 1, 1, false, true)
	r.Epoch = epochB
	if got := mustApply(t, db, "1", r); got.Duplicate || got.State.LastScan != 1 || got.State.Epoch != epochB {
		t.Errorf("a new epoch's scan 1 = %+v, want applied", got)
	}
}

func TestFIMReportOutsideThePolicyIsIgnored(t *testing.T) {
	db := openTestDB(t)
	p := FIMPolicy{Name: "web", Paths: []string{"/srv", "/opt/app"}, Exclude: []string{"/srv/cache/**"}, Interval: time.Hour}
	if err := db.CreateFIMPolicy(&p, testActor); err != nil {
		t.Fatal(err)
	}
	mustApply(t, db, "1", report(p, 1, 1, true, true, added("/srv", &fim.Object{Type: fim.TypeDir})))
	got := mustApply(t, db, "1", report(p, 2, 1, false, true,
		added("/etc/passwd", file("a", 1)), added("/srvx", file("a", 1)), added("/srv/cache/x", file("a", 1)),
		added("/srv/ok", file("a", 1)), added("/opt/app", file("a", 1))))
	if changePaths(got.Changes) != "added /srv/ok medium, added /opt/app medium" {
		t.Errorf("changes = %s", changePaths(got.Changes))
	}
	if got.State.Refused != 3 || got.State.ErrorCount != 3 || len(got.State.Errors) != 3 || got.State.Errors[0].Path != "/etc/passwd" ||
		got.State.Objects != 3 {
		t.Errorf("state = %+v", got.State)
	}
}

func TestFIMOpenChangesAreCapped(t *testing.T) {
	defer func(n int) { maxFIMOpenChanges = n }(maxFIMOpenChanges)
	maxFIMOpenChanges = 2
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	mustApply(t, db, "1", report(p, 1, 1, true, true))
	got := mustApply(t, db, "1", report(p, 2, 1, false, true,
		added("/srv/a", file("a", 1)), added("/srv/b", file("a", 1)), added("/srv/c", file("a", 1)), added("/srv/d", file("a", 1))))
	if len(got.Changes) != 2 || got.State.OpenChanges != 2 || got.State.Unrecorded != 2 || got.State.Objects != 4 {
		t.Errorf("changes %s, state %+v", changePaths(got.Changes), got.State)
	}
	if _, err := db.AcceptFIMPolicyChanges(p.ID, "", "expected", testActor, time.Now()); err != nil {
		t.Fatal(err)
	}
	if states, _ := db.FIMAgentStates(p.ID); states[0].Unrecorded != 0 || states[0].OpenChanges != 0 {
		t.Errorf("after accepting all: %+v", states[0])
	}
}

func TestAcceptFIMPolicyChangesInChunks(t *testing.T) {
	defer func(n int) { fimAcceptChunk = n }(fimAcceptChunk)
	fimAcceptChunk = 2
	db, p := fimWithChanges(t)
	before := len(auditEntries(t, db))
	n, err := db.AcceptFIMPolicyChanges(p.ID, "", "patch tuesday", testActor, time.Now())
	if err != nil || n != 4 {
		t.Fatalf("accepted %d, %v; want 4", n, err)
	}
	entries := auditEntries(t, db)
	if len(entries) != before+1 {
		t.Fatalf("%d audit entries for one acceptance in chunks, want 1", len(entries)-before)
	}
	e := lastAudit(t, db)
	if e.Action != "fim_change.accept" || !strings.Contains(string(e.After), `"accepted":4`) || strings.Count(string(e.After), `"path"`) != 4 {
		t.Errorf("audit = %s %s", e.Action, e.After)
	}
	open := true
	if left, _ := db.FIMChanges(FIMChangeQuery{Open: &open}); len(left) != 0 {
		t.Errorf("left open: %s", changePaths(left))
	}
	if counts, _ := db.FIMOpenByPolicy("1"); len(counts) != 0 {
		t.Errorf("open index left: %v", counts)
	}
}

func TestFIMRevisionIgnoresOrder(t *testing.T) {
	base := FIMPolicy{Paths: []string{"/etc", "/srv"}, Exclude: []string{"/srv/a", "/srv/b"}, Attributes: []string{fim.AttrSHA256, fim.AttrMode}}
	same := FIMPolicy{Paths: []string{"/srv", "/etc", "/srv"}, Exclude: []string{"/srv/b", "/srv/a"}, Attributes: []string{fim.AttrMode, fim.AttrSHA256}}
	if FIMRevision(base) != FIMRevision(same) {
		t.Error("reordered paths, exclude or attributes made a new revision")
	}
	all := FIMPolicy{Paths: []string{"/etc"}}
	listed := FIMPolicy{Paths: []string{"/etc"}, Attributes: fim.AllAttrs}
	if FIMRevision(all) == FIMRevision(listed) {
		t.Error("all attributes (none listed) hash like today's list: a new attribute would re-baseline every policy")
	}
	other := base
	other.Exclude = []string{"/srv/a"}
	if FIMRevision(base) == FIMRevision(other) {
		t.Error("a different exclude kept the revision")
	}
}

func TestApplyFIMReportErrors(t *testing.T) {
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	r := report(p, 1, 1, true, false)
	for i := range 150 {
		r.Errors = append(r.Errors, fim.ScanError{Path: fmt.Sprintf("/srv/%d", i), Error: "permission denied"})
	}
	r.Errors = r.Errors[:100]
	r.Progress.Errors = 100
	mustApply(t, db, "1", r)
	r2 := report(p, 1, 2, true, true)
	r2.Errors = []fim.ScanError{{Path: "/srv/x", Error: "vanished"}}
	r2.Progress.Errors = 101
	got := mustApply(t, db, "1", r2)
	if len(got.State.Errors) != 100 || got.State.ErrorCount != 101 {
		t.Errorf("errors kept %d, counted %d; want 100 and 101", len(got.State.Errors), got.State.ErrorCount)
	}
	got = mustApply(t, db, "1", report(p, 2, 1, false, true))
	if len(got.State.Errors) != 0 || got.State.ErrorCount != 0 {
		t.Errorf("a new scan kept the last one's errors: %+v", got.State)
	}
	states, err := db.FIMAgentStates(p.ID)
	if err != nil || len(states) != 1 || states[0].AgentID != "1" || states[0].LastScan != 2 {
		t.Errorf("states = %+v, %v", states, err)
	}
}

// fimWithChanges is a store with a policy, a baseline on agents 1 and 2,
// and changes on both: agent 1 has /srv/a (medium), /srv/bin/x
// (critical), /srv/c.log (low); agent 2 has /srv/a (medium).
func fimWithChanges(t *testing.T) (*DB, FIMPolicy) {
	t.Helper()
	db := openTestDB(t)
	p := newTestFIMPolicy(t, db)
	a, b := file("a", 1), file("b", 2)
	for _, agent := range []string{"1", "2"} {
		mustApply(t, db, agent, report(p, 1, 1, true, true, added("/srv/a", a)))
	}
	mustApply(t, db, "1", report(p, 2, 1, false, true, modified("/srv/a", a, b, fim.AttrSHA256, fim.AttrSize), added("/srv/bin/x", a), added("/srv/c.log", a)))
	mustApply(t, db, "2", report(p, 2, 1, false, true, modified("/srv/a", a, b, fim.AttrSHA256, fim.AttrSize)))
	return db, p
}

func TestFIMChangesFilters(t *testing.T) {
	db, p := fimWithChanges(t)
	yes, no := true, false
	tests := []struct {
		name string
		q    FIMChangeQuery
		want string
	}{
		{"all, newest first", FIMChangeQuery{}, "modified /srv/a medium, added /srv/c.log low, added /srv/bin/x critical, modified /srv/a medium"},
		{"agent", FIMChangeQuery{AgentID: "2"}, "modified /srv/a medium"},
		{"policy", FIMChangeQuery{PolicyID: p.ID, Limit: 1}, "modified /srv/a medium"},
		{"other policy", FIMChangeQuery{PolicyID: "99"}, ""},
		{"severity", FIMChangeQuery{Severity: FIMCritical}, "added /srv/bin/x critical"},
		{"change", FIMChangeQuery{Change: fim.Added, AgentID: "1"}, "added /srv/c.log low, added /srv/bin/x critical"},
		{"path", FIMChangeQuery{PathContains: "bin"}, "added /srv/bin/x critical"},
		{"open", FIMChangeQuery{Open: &yes, AgentID: "1"}, "added /srv/c.log low, added /srv/bin/x critical, modified /srv/a medium"},
		{"open, all agents, limit", FIMChangeQuery{Open: &yes, Limit: 2}, "modified /srv/a medium, added /srv/c.log low"},
		{"open, cursor", FIMChangeQuery{Open: &yes, Before: "3"}, "added /srv/bin/x critical, modified /srv/a medium"},
		{"cursor", FIMChangeQuery{Before: "2"}, "modified /srv/a medium"},
		{"accepted", FIMChangeQuery{Open: &no}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.FIMChanges(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if changePaths(got) != tt.want {
				t.Errorf("got %s, want %s", changePaths(got), tt.want)
			}
		})
	}
	_, err := db.FIMChanges(FIMChangeQuery{Before: "x"})
	wantErr(t, err, ErrNotFound)
}

func TestAcceptFIMChanges(t *testing.T) {
	db, p := fimWithChanges(t)
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	open := true

	_, err := db.AcceptFIMChanges([]string{"1"}, "  ", testActor, now)
	wantErr(t, err, ErrFIMNoteRequired)
	_, err = db.AcceptFIMChanges([]string{"2", "404"}, "why", testActor, now)
	wantErr(t, err, ErrNotFound)
	if got, _ := db.FIMChanges(FIMChangeQuery{Open: &open}); len(got) != 4 {
		t.Fatalf("a refused acceptance closed changes: %d open", len(got))
	}

	closed, err := db.AcceptFIMChanges([]string{"2", "2"}, "patched sshd", testActor, now)
	if err != nil || len(closed) != 1 || closed[0].AcceptedBy != "alice" || closed[0].Note != "patched sshd" || !closed[0].AcceptedAt.Equal(now) {
		t.Fatalf("closed = %+v, %v", closed, err)
	}
	e := lastAudit(t, db)
	if e.Action != "fim_change.accept" || e.Target != "fim_policy:"+p.ID || !strings.Contains(string(e.After), `"note":"patched sshd"`) ||
		!strings.Contains(string(e.After), `"path":"/srv/bin/x"`) {
		t.Errorf("audit = %s %s %s", e.Action, e.Target, e.After)
	}
	if again, err := db.AcceptFIMChanges([]string{"2"}, "again", testActor, now); err != nil || len(again) != 0 {
		t.Errorf("accepting an accepted change = %+v, %v", again, err)
	}
	if c, _ := db.FIMChange("2"); c.Note != "patched sshd" {
		t.Errorf("a second acceptance rewrote the first: %+v", c)
	}
	counts, _ := db.FIMOpenCounts("1")
	if counts[FIMCritical] != 0 || counts[FIMMedium] != 1 || counts[FIMLow] != 1 {
		t.Errorf("counts after accepting the critical one = %v", counts)
	}

	t.Run("patch day on one agent", func(t *testing.T) {
		n, err := db.AcceptFIMPolicyChanges(p.ID, "1", "patch tuesday", testActor, now)
		if err != nil || n != 2 {
			t.Fatalf("accepted %d, %v; want 2", n, err)
		}
		if got, _ := db.FIMChanges(FIMChangeQuery{Open: &open}); changePaths(got) != "modified /srv/a medium" {
			t.Errorf("open = %s, want agent 2's only", changePaths(got))
		}
		states, _ := db.FIMAgentStates(p.ID)
		if states[0].OpenChanges != 0 || states[1].OpenChanges != 1 {
			t.Errorf("open counts in states = %d, %d", states[0].OpenChanges, states[1].OpenChanges)
		}
	})
	t.Run("patch day on all agents", func(t *testing.T) {
		n, err := db.AcceptFIMPolicyChanges(p.ID, "", "patch tuesday", testActor, now)
		if err != nil || n != 1 {
			t.Fatalf("accepted %d, %v; want 1", n, err)
		}
		_, err = db.AcceptFIMPolicyChanges("99", "", "x", testActor, now)
		wantErr(t, err, ErrNotFound)
	})
	t.Run("the next scan is clean", func(t *testing.T) {
		got := mustApply(t, db, "1", report(p, 3, 1, false, true, modified("/srv/a", file("a", 1), file("b", 2), fim.AttrSHA256)))
		if len(got.Changes) != 0 {
			t.Errorf("changes = %s", changePaths(got.Changes))
		}
	})
}

func TestDeleteFIMPolicyDropsItsData(t *testing.T) {
	db, p := fimWithChanges(t)
	other := newTestFIMPolicy(t, db)
	mustApply(t, db, "1", report(other, 1, 1, true, true, added("/srv/a", file("a", 1))))
	mustApply(t, db, "1", report(other, 2, 1, false, true, added("/srv/z", file("a", 1))))
	if err := db.DeleteFIMPolicy(p.ID, testActor); err != nil {
		t.Fatal(err)
	}
	all, _ := db.FIMChanges(FIMChangeQuery{})
	if changePaths(all) != "added /srv/z medium" {
		t.Errorf("changes left = %s", changePaths(all))
	}
	if counts, _ := db.FIMOpenByPolicy("1"); len(counts) != 1 || counts[other.ID][FIMMedium] != 1 {
		t.Errorf("open by policy = %v", counts)
	}
	if states, _ := db.FIMAgentStates(p.ID); len(states) != 0 {
		t.Errorf("states left: %+v", states)
	}
	if states, _ := db.FIMAgentStates(other.ID); len(states) != 1 || states[0].Objects != 2 {
		t.Errorf("the other policy's state = %+v", states)
	}
	if _, err := db.ApplyFIMReport("1", report(p, 3, 1, false, true), nil, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("report of a deleted policy: %v", err)
	}
}

// auditEntries returns every audit entry, newest first.
func auditEntries(t *testing.T, db *DB) []AuditEntry {
	t.Helper()
	es, err := db.Audit(AuditQuery{})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return es
}

func TestDeleteFIMPolicyAuditsDiscardedChanges(t *testing.T) {
	db, p := fimWithChanges(t)
	if err := db.DeleteFIMPolicy(p.ID, testActor); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, db)
	for _, want := range []string{`"open_changes_discarded":4`, `"critical":1`, `"medium":2`, `"low":1`} {
		if !strings.Contains(string(e.After), want) {
			t.Errorf("delete audit after = %s, lacks %s", e.After, want)
		}
	}
	var left int
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		left = tx.Bucket(bucketFIMOpen).Stats().KeyN + tx.Bucket(bucketFIMOpenPolicy).Stats().KeyN
		return nil
	})
	if left != 0 {
		t.Errorf("%d open index entries left", left)
	}
}

// TestFIMChangesPathFilterMatchesWhatIsShown: the UI shows a newline or a
// right-to-left override in a name as an escape; filtering by what it
// shows finds the change, as does the name itself.
func TestFIMChangesPathFilterMatchesWhatIsShown(t *testing.T) {
	db, p := fimWithChanges(t)
	mustApply(t, db, "1", report(p, 3, 1, false, true, added("/srv/new\nline", file("n", 1)), added("/srv/invoice\u202etxt.exe", file("i", 1))))
	for q, want := range map[string]string{
		`new\nline`:      "added /srv/new\nline medium",
		"new\nline":      "added /srv/new\nline medium",
		`invoice\u202e`:  "added /srv/invoice\u202etxt.exe medium",
		"line\\n":        "",
		`new\\nline`:     "",
		"invoice\u202et": "added /srv/invoice\u202etxt.exe medium",
	} {
		got, err := db.FIMChanges(FIMChangeQuery{PathContains: q})
		if err != nil {
			t.Fatal(err)
		}
		if changePaths(got) != want {
			t.Errorf("path contains %q: got %q, want %q", q, changePaths(got), want)
		}
	}
}
