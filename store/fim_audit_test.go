package store

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestFIMPolicyAuditInterval checks that the audit log writes a policy's
// interval as the API does ("1h"), on creation, update and deletion, while
// the stored policy keeps its own format (nanoseconds).
func TestFIMPolicyAuditInterval(t *testing.T) {
	db := openTestDB(t)
	p := FIMPolicy{Name: "web", Agents: []string{"web1"}, Paths: []string{"/srv"}, Interval: time.Hour}
	if err := db.CreateFIMPolicy(&p, testActor); err != nil {
		t.Fatal(err)
	}
	created := lastAudit(t, db)
	p.Interval = 90 * time.Minute
	if err := db.UpdateFIMPolicy(&p, testActor); err != nil {
		t.Fatal(err)
	}
	updated := lastAudit(t, db)
	var stored []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(p.ID)
		if err != nil {
			return err
		}
		stored = slices.Clone(tx.Bucket(bucketFIMPolicies).Get(key))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteFIMPolicy(p.ID, testActor); err != nil {
		t.Fatal(err)
	}
	deleted := lastAudit(t, db)

	tests := []struct {
		name string
		raw  json.RawMessage
		want string
	}{
		{"create, after", created.After, "1h"},
		{"update, before", updated.Before, "1h"},
		{"update, after", updated.After, "1h30m"},
		{"delete, before", deleted.Before, "1h30m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec struct {
				Name     string `json:"name"`
				Interval any    `json:"interval"`
			}
			if err := json.Unmarshal(tt.raw, &rec); err != nil {
				t.Fatalf("%s: %v", tt.raw, err)
			}
			if rec.Interval != tt.want || rec.Name != "web" {
				t.Errorf("audited name %q, interval %#v; want web, %q", rec.Name, rec.Interval, tt.want)
			}
		})
	}
	if !strings.Contains(string(stored), `"interval":5400000000000`) {
		t.Errorf("the stored policy changed format: %s", stored)
	}
}

// TestFIMPolicyAuditHasEveryField: the audited form of a policy holds
// every field of the policy, all alike but the interval.
func TestFIMPolicyAuditHasEveryField(t *testing.T) {
	full := FIMPolicy{ID: "1", Name: "n", Agents: []string{"a"}, Paths: []string{"/p"}, Exclude: []string{"x"},
		Attributes: []string{"size"}, Interval: time.Minute, Severity: []FIMSeverityRule{{Pattern: "/p", Severity: FIMHigh}},
		FullRehashEvery: 2, IOLimitMBps: 3, ScanRequest: 4, Revision: "r", CreatedAt: time.Unix(1, 0), UpdatedAt: time.Unix(2, 0)}
	asMap := func(v any) map[string]any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	want, got := asMap(full), asMap(auditedFIMPolicy(full))
	want["interval"] = "1m"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audited policy\n%v\nwant\n%v", got, want)
	}
}
