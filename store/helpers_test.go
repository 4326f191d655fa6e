package store

import (
	"errors"
	"testing"
)

// openTestDB opens a fresh store in a temporary directory and closes it
// when the test ends.
func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return db
}

// testActor is the person the record tests act as.
var testActor = Actor{UserID: "1", Username: "alice", IP: "127.0.0.1"}

// wantErr fails the test unless errors.Is(err, want); want nil means no error.
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// lastAudit returns the newest audit entry, failing when there is none.
func lastAudit(t *testing.T, db *DB) AuditEntry {
	t.Helper()
	es, err := db.Audit(AuditQuery{Limit: 1})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if len(es) != 1 {
		t.Fatalf("audit: got %d entries, want 1", len(es))
	}
	return es[0]
}

func isConflict(err error) bool { return errors.Is(err, ErrConflict) }
