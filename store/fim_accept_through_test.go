package store

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fimAcceptAudit decodes the after of the newest audit entry, which must
// be a fim_change.accept.
func fimAcceptAudit(t *testing.T, db *DB) fimAcceptance {
	t.Helper()
	e := lastAudit(t, db)
	if e.Action != "fim_change.accept" {
		t.Fatalf("newest audit entry is %s, want fim_change.accept", e.Action)
	}
	var got fimAcceptance
	if err := json.Unmarshal(e.After, &got); err != nil {
		t.Fatalf("decode audit entry: %v", err)
	}
	return got
}

// openIDs lists the open changes' ids, newest first: "[4 3]".
func openIDs(t *testing.T, db *DB) string {
	t.Helper()
	open := true
	cs, err := db.FIMChanges(FIMChangeQuery{Open: &open})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return "[" + strings.Join(ids, " ") + "]"
}

func TestAcceptFIMPolicyChangesThrough(t *testing.T) {
	// fimWithChanges opens 1, 2, 3 on agent 1 and 4 on agent 2.
	tests := []struct {
		name          string
		agent         string
		through       string
		wantAccepted  int
		wantThrough   string
		wantNewer     int
		wantOpen      string
		wantAuditKept bool
	}{
		{"what the page showed", "", "2", 2, "2", 2, "[4 3]", true},
		{"one agent, newer ones on it and elsewhere", "1", "2", 2, "2", 1, "[4 3]", true},
		{"the newest", "", "4", 4, "4", 0, "[]", true},
		{"absent: the newest when it starts", "", "", 4, "4", 0, "[]", true},
		{"past the newest: lowered to it", "", "999", 4, "4", 0, "[]", true},
		{"one agent with only newer changes", "2", "3", 0, "3", 1, "[4 3 2 1]", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, p := fimWithChanges(t)
			before := len(auditEntries(t, db))
			res, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, AgentID: tc.agent, Through: tc.through, Note: "patch tuesday"}, testActor, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if res.Accepted != tc.wantAccepted || res.Through != tc.wantThrough || res.Newer != tc.wantNewer {
				t.Errorf("result %+v, want accepted %d through %s newer %d", res, tc.wantAccepted, tc.wantThrough, tc.wantNewer)
			}
			if got := openIDs(t, db); got != tc.wantOpen {
				t.Errorf("open after = %s, want %s", got, tc.wantOpen)
			}
			entries := len(auditEntries(t, db)) - before
			if !tc.wantAuditKept {
				if entries != 0 {
					t.Errorf("%d audit entries for accepting nothing", entries)
				}
				return
			}
			if entries != 1 {
				t.Fatalf("%d audit entries, want 1", entries)
			}
			a := fimAcceptAudit(t, db)
			if a.Accepted != tc.wantAccepted || a.Through != tc.wantThrough || a.Partial || a.Note != "patch tuesday" || len(a.Changes) != tc.wantAccepted {
				t.Errorf("audit entry %+v", a)
			}
		})
	}
}

func TestAcceptFIMPolicyChangesThroughRefusesABadBound(t *testing.T) {
	db, p := fimWithChanges(t)
	for _, through := range []string{"0", "abc", "-1", "01", " 2"} {
		_, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, Through: through, Note: "x"}, testActor, time.Now())
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("through %q: err %v, want ErrNotFound", through, err)
		}
	}
	if got := openIDs(t, db); got != "[4 3 2 1]" {
		t.Errorf("a refused bound closed changes: open %s", got)
	}
}

// A change reported while an acceptance runs (between two of its chunks)
// came after the person looked: it stays open, and is counted as newer.
func TestAcceptFIMPolicyChangesLeavesAChangeReportedMeanwhile(t *testing.T) {
	defer func(n int) { fimAcceptChunk = n }(fimAcceptChunk)
	fimAcceptChunk = 1
	db, p := fimWithChanges(t)
	t.Cleanup(func() { fimAcceptHooks.beforeChunk = nil })
	fimAcceptHooks.beforeChunk = func(chunk int) {
		if chunk == 2 {
			mustApply(t, db, "1", report(p, 3, 1, false, true, added("/srv/rootkit", file("c", 3))))
		}
	}
	res, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, Note: "patch tuesday"}, testActor, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 4 || res.Through != "4" || res.Newer != 1 {
		t.Errorf("result %+v, want 4 accepted through 4 and 1 newer", res)
	}
	open := true
	left, _ := db.FIMChanges(FIMChangeQuery{Open: &open})
	if changePaths(left) != "added /srv/rootkit medium" {
		t.Errorf("open after = %s, want the change reported meanwhile", changePaths(left))
	}
	if a := fimAcceptAudit(t, db); a.Accepted != 4 || a.Partial {
		t.Errorf("audit entry %+v", a)
	}
}

// When a later chunk fails, every chunk that committed is in the audit
// entry, and nothing else is: the entry counts exactly what is closed.
func TestAcceptFIMPolicyChangesAuditsEveryCommittedChunk(t *testing.T) {
	defer func(n int) { fimAcceptChunk = n }(fimAcceptChunk)
	fimAcceptChunk = 1
	db, p := fimWithChanges(t)
	t.Cleanup(func() { fimAcceptHooks.inChunk = nil })
	fimAcceptHooks.inChunk = func(_ *bolt.Tx, chunk int) error {
		if chunk == 3 {
			return errors.New("disk full")
		}
		return nil
	}
	before := len(auditEntries(t, db))
	res, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, Note: "patch tuesday"}, testActor, time.Now())
	if err == nil || res.Accepted != 2 {
		t.Fatalf("accepted %d, err %v; want 2 and the error of chunk 3", res.Accepted, err)
	}
	if got := openIDs(t, db); got != "[2 1]" {
		t.Errorf("open after = %s, want the two the failed chunk rolled back", got)
	}
	if n := len(auditEntries(t, db)) - before; n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
	a := fimAcceptAudit(t, db)
	if a.Accepted != 2 || !a.Partial || len(a.Changes) != 2 || a.Changes[0].ID != "4" || a.Changes[1].ID != "3" {
		t.Errorf("audit entry after a failed chunk = %+v, want 4 and 3, partial", a)
	}

	// Accepting again closes the rest, in an entry of its own.
	fimAcceptHooks.inChunk = nil
	res, err = db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, Note: "patch tuesday, again"}, testActor, time.Now())
	if err != nil || res.Accepted != 2 {
		t.Fatalf("accepted %d, %v; want the 2 left", res.Accepted, err)
	}
	if a := fimAcceptAudit(t, db); a.Accepted != 2 || a.Partial || a.Note != "patch tuesday, again" {
		t.Errorf("second audit entry = %+v", a)
	}
}

// Should the server stop between two chunks, what committed is audited
// and the entry says the acceptance did not finish.
func TestAcceptFIMPolicyChangesAuditIsCurrentBetweenChunks(t *testing.T) {
	defer func(n int) { fimAcceptChunk = n }(fimAcceptChunk)
	fimAcceptChunk = 1
	db, p := fimWithChanges(t)
	t.Cleanup(func() { fimAcceptHooks.beforeChunk = nil })
	var seen []fimAcceptance
	fimAcceptHooks.beforeChunk = func(chunk int) {
		if chunk > 1 {
			seen = append(seen, fimAcceptAudit(t, db))
		}
	}
	if _, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: p.ID, Note: "patch tuesday"}, testActor, time.Now()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Fatalf("looked %d times between chunks, want 3", len(seen))
	}
	for i, a := range seen {
		if a.Accepted != i+1 || len(a.Changes) != i+1 || !a.Partial || a.Through != "4" {
			t.Errorf("after chunk %d the entry is %+v", i+1, a)
		}
	}
	if a := fimAcceptAudit(t, db); a.Accepted != 4 || a.Partial {
		t.Errorf("final entry %+v", a)
	}
}
