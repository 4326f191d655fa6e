package store

import (
	"reflect"
	"testing"
)

func auditIDs(es []AuditEntry) []string {
	ids := []string{}
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestAuditQueries(t *testing.T) {
	db := openTestDB(t)
	// Entries 1..12 alternate between targets "monitor:1" and
	// "monitor:10"; "monitor:1\x00x" shares the index range of "monitor:1".
	for n := 1; n <= 12; n++ {
		target := "monitor:1"
		if n%2 == 0 {
			target = "monitor:10"
		}
		if n == 12 {
			target = "monitor:1\x00x"
		}
		wantErr(t, db.RecordAudit(testActor, "test.change", target, nil, map[string]int{"n": n}), nil)
	}
	tests := []struct {
		name string
		q    AuditQuery
		want []string
	}{
		{"all", AuditQuery{}, []string{"12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"}},
		{"limit", AuditQuery{Limit: 2}, []string{"12", "11"}},
		{"page", AuditQuery{Limit: 3, Before: "9"}, []string{"8", "7", "6"}},
		{"page past the end", AuditQuery{Before: "99"}, []string{"12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"}},
		{"last page", AuditQuery{Before: "2"}, []string{"1"}},
		{"target", AuditQuery{Target: "monitor:1"}, []string{"11", "9", "7", "5", "3", "1"}},
		{"target limit", AuditQuery{Target: "monitor:10", Limit: 2}, []string{"10", "8"}},
		{"target page", AuditQuery{Target: "monitor:1", Before: "7", Limit: 2}, []string{"5", "3"}},
		{"target with a 0 byte", AuditQuery{Target: "monitor:1\x00x"}, []string{"12"}},
		{"unknown target", AuditQuery{Target: "monitor:2"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Audit(tc.q)
			wantErr(t, err, nil)
			if ids := auditIDs(got); !reflect.DeepEqual(ids, tc.want) {
				t.Fatalf("ids = %v, want %v", ids, tc.want)
			}
		})
	}
	_, err := db.Audit(AuditQuery{Before: "x"})
	wantErr(t, err, ErrNotFound)
}

func TestAuditEmpty(t *testing.T) {
	db := openTestDB(t)
	got, err := db.Audit(AuditQuery{Target: "user:1", Before: "3"})
	wantErr(t, err, nil)
	if got == nil || len(got) != 0 {
		t.Fatalf("Audit = %#v, want an empty, non-nil list", got)
	}
}
