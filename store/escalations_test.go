package store

import (
	"reflect"
	"testing"
	"time"
)

func TestEscalationPolicyLifecycle(t *testing.T) {
	db := openTestDB(t)
	steps := []EscalationStep{
		{After: 20 * time.Minute, Targets: []string{"3"}},
		{After: 0, Targets: []string{"1", "2"}},
		{After: 10 * time.Minute, Targets: []string{"4"}},
		{After: 10 * time.Minute, Targets: []string{"5"}},
	}
	p := &EscalationPolicy{Name: "web on-call", Steps: steps}
	wantErr(t, db.CreateEscalationPolicy(p, testActor), nil)
	want := []EscalationStep{steps[1], steps[2], steps[3], steps[0]} // by delay, ties in the order given
	if !reflect.DeepEqual(p.Steps, want) {
		t.Fatalf("steps = %+v, want sorted %+v", p.Steps, want)
	}
	if steps[0].After != 20*time.Minute {
		t.Fatal("the caller's steps were reordered")
	}
	got, err := db.EscalationPolicy(p.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *p) {
		t.Fatalf("EscalationPolicy = %+v, want %+v", got, *p)
	}
	if a := lastAudit(t, db); a.Action != "escalation_policy.create" || a.Target != "escalation_policy:"+p.ID {
		t.Fatalf("audit = %+v", a)
	}

	p.Steps = []EscalationStep{{After: time.Minute}}
	wantErr(t, db.UpdateEscalationPolicy(p, testActor), nil)
	got, _ = db.EscalationPolicy(p.ID)
	if len(got.Steps) != 1 || got.Steps[0].Targets == nil {
		t.Fatalf("updated policy = %+v (targets must not be null)", got)
	}
	p.Steps = []EscalationStep{{After: -time.Minute}}
	if err := db.UpdateEscalationPolicy(p, testActor); err == nil {
		t.Fatal("a negative delay was stored")
	}
	wantErr(t, db.CreateEscalationPolicy(&EscalationPolicy{Name: "WEB ON-CALL"}, testActor), ErrConflict)
	ps, _ := db.EscalationPolicies()
	if len(ps) != 1 {
		t.Fatalf("EscalationPolicies = %+v", ps)
	}
	wantErr(t, db.DeleteEscalationPolicy(p.ID, testActor), nil)
	_, err = db.EscalationPolicy(p.ID)
	wantErr(t, err, ErrNotFound)
	wantErr(t, db.DeleteEscalationPolicy(p.ID, testActor), ErrNotFound)
}
