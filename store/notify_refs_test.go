package store

import (
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// refsFixture is a contact and a group named everywhere they can be, and
// an escalation policy used by a route and a monitor.
type refsFixture struct {
	contact, other, group string
	policy, route, mon    string
	bystander             string // a monitor that names none of them
}

func newRefsFixture(t *testing.T, db *DB) refsFixture {
	t.Helper()
	c, o := sampleContact("pager"), sampleContact("other")
	wantErr(t, db.CreateContact(c, testActor), nil)
	wantErr(t, db.CreateContact(o, testActor), nil)
	g := &ContactGroup{Name: "on-call", Members: []string{c.ID, o.ID}}
	wantErr(t, db.CreateGroup(g, testActor), nil)
	p := &EscalationPolicy{Name: "esc", Steps: []EscalationStep{
		{After: 0, Targets: []string{c.ID, o.ID}},
		{After: 10 * time.Minute, Targets: []string{g.ID}},
	}}
	wantErr(t, db.CreateEscalationPolicy(p, testActor), nil)
	r := &NotifyRoute{Name: "db", Tags: []string{"db"}, Notify: []string{g.ID, c.ID}, Escalation: p.ID}
	wantErr(t, db.CreateRoute(r, testActor), nil)
	m := sampleMonitor("web")
	m.Notify, m.Escalation = []string{c.ID, g.ID, o.ID}, p.ID
	wantErr(t, db.CreateMonitor(m, testActor), nil)
	b := sampleMonitor("bystander")
	b.Notify = []string{"999"}
	wantErr(t, db.CreateMonitor(b, testActor), nil)
	return refsFixture{contact: c.ID, other: o.ID, group: g.ID, policy: p.ID, route: r.ID, mon: m.ID, bystander: b.ID}
}

// auditSince returns the actions and targets audited after entry id after.
func auditSince(t *testing.T, db *DB, after string) []string {
	t.Helper()
	es, err := db.Audit(AuditQuery{})
	wantErr(t, err, nil)
	var out []string
	for _, e := range es {
		if e.ID == after {
			break
		}
		out = append(out, e.Action+" "+e.Target)
	}
	slices.Sort(out)
	return out
}

func TestDeleteContactRemovesReferences(t *testing.T) {
	db := openTestDB(t)
	f := newRefsFixture(t, db)
	mark := lastAudit(t, db).ID
	before, _ := db.Monitor(f.bystander)

	wantErr(t, db.DeleteContact(f.contact, testActor), nil)

	g, _ := db.Group(f.group)
	if !reflect.DeepEqual(g.Members, []string{f.other}) {
		t.Errorf("group members = %v, want [%s]", g.Members, f.other)
	}
	p, _ := db.EscalationPolicy(f.policy)
	if !reflect.DeepEqual(p.Steps[0].Targets, []string{f.other}) || !reflect.DeepEqual(p.Steps[1].Targets, []string{f.group}) {
		t.Errorf("policy steps = %+v", p.Steps)
	}
	r, _ := db.Route(f.route)
	if !reflect.DeepEqual(r.Notify, []string{f.group}) {
		t.Errorf("route notify = %v", r.Notify)
	}
	m, _ := db.Monitor(f.mon)
	if !reflect.DeepEqual(m.Notify, []string{f.group, f.other}) || m.Escalation != f.policy {
		t.Errorf("monitor notify = %v escalation %q", m.Notify, m.Escalation)
	}
	if after, _ := db.Monitor(f.bystander); !reflect.DeepEqual(after, before) {
		t.Errorf("a monitor not naming the contact changed: %+v", after)
	}
	want := []string{
		"contact.delete contact:" + f.contact,
		"contact_group.update contact_group:" + f.group,
		"escalation_policy.update escalation_policy:" + f.policy,
		"monitor.update monitor:" + f.mon,
		"notify_route.update notify_route:" + f.route,
	}
	if got := auditSince(t, db, mark); !reflect.DeepEqual(got, want) {
		t.Errorf("audited %v\nwant %v", got, want)
	}
}

func TestDeleteGroupRemovesReferences(t *testing.T) {
	db := openTestDB(t)
	f := newRefsFixture(t, db)
	mark := lastAudit(t, db).ID
	wantErr(t, db.DeleteGroup(f.group, testActor), nil)

	p, _ := db.EscalationPolicy(f.policy)
	if len(p.Steps) != 2 || len(p.Steps[1].Targets) != 0 || p.Steps[1].Targets == nil {
		t.Errorf("policy steps = %+v: the emptied step stays, with an empty list", p.Steps)
	}
	r, _ := db.Route(f.route)
	if !reflect.DeepEqual(r.Notify, []string{f.contact}) {
		t.Errorf("route notify = %v", r.Notify)
	}
	m, _ := db.Monitor(f.mon)
	if !reflect.DeepEqual(m.Notify, []string{f.contact, f.other}) {
		t.Errorf("monitor notify = %v", m.Notify)
	}
	if cs, _ := db.Contacts(); len(cs) != 2 {
		t.Errorf("contacts left: %d, want 2", len(cs))
	}
	want := []string{
		"contact_group.delete contact_group:" + f.group,
		"escalation_policy.update escalation_policy:" + f.policy,
		"monitor.update monitor:" + f.mon,
		"notify_route.update notify_route:" + f.route,
	}
	if got := auditSince(t, db, mark); !reflect.DeepEqual(got, want) {
		t.Errorf("audited %v\nwant %v", got, want)
	}
}

func TestDeletePolicyRemovesReferences(t *testing.T) {
	db := openTestDB(t)
	f := newRefsFixture(t, db)
	mark := lastAudit(t, db).ID
	wantErr(t, db.DeleteEscalationPolicy(f.policy, testActor), nil)
	r, _ := db.Route(f.route)
	m, _ := db.Monitor(f.mon)
	if r.Escalation != "" || m.Escalation != "" {
		t.Errorf("route escalation %q, monitor escalation %q: want both cleared", r.Escalation, m.Escalation)
	}
	if !reflect.DeepEqual(m.Notify, []string{f.contact, f.group, f.other}) {
		t.Errorf("monitor notify changed: %v", m.Notify)
	}
	want := []string{
		"escalation_policy.delete escalation_policy:" + f.policy,
		"monitor.update monitor:" + f.mon,
		"notify_route.update notify_route:" + f.route,
	}
	if got := auditSince(t, db, mark); !reflect.DeepEqual(got, want) {
		t.Errorf("audited %v\nwant %v", got, want)
	}
}

// TestDeleteReferencesAtomic: when one record cannot be rewritten, the
// deletion and every change it made roll back together.
func TestDeleteReferencesAtomic(t *testing.T) {
	db := openTestDB(t)
	f := newRefsFixture(t, db)
	// Damage the bystander monitor: the unlink walk cannot decode it.
	key, _ := idKey(f.bystander)
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMonitors).Put(key, []byte("{broken")) }); err != nil {
		t.Fatal(err)
	}
	mark := lastAudit(t, db).ID
	if err := db.DeleteContact(f.contact, testActor); err == nil {
		t.Fatal("DeleteContact succeeded over a damaged monitor")
	}
	if _, err := db.Contact(f.contact); err != nil {
		t.Fatalf("contact gone after a failed delete: %v", err)
	}
	if g, _ := db.Group(f.group); len(g.Members) != 2 {
		t.Fatalf("group changed by a failed delete: %v", g.Members)
	}
	if got := auditSince(t, db, mark); len(got) != 0 {
		t.Fatalf("a failed delete was audited: %v", got)
	}
}
