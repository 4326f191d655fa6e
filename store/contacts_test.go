package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sampleContact(name string) *Contact {
	return &Contact{Name: name, Type: "webhook",
		Settings: json.RawMessage(`{"url":"https://hooks.example.com/x","secret":"sealed:v1:c2VjcmV0","headers":{"X-Token":"sealed:v1:dG9r"}}`)}
}

func TestContactLifecycle(t *testing.T) {
	db := openTestDB(t)
	c := sampleContact("ops webhook")
	wantErr(t, db.CreateContact(c, testActor), nil)
	if c.ID != "1" || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Fatalf("created contact = %+v", c)
	}
	got, err := db.Contact(c.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *c) {
		t.Fatalf("Contact = %+v\nwant %+v", got, *c)
	}
	a := lastAudit(t, db)
	if a.Action != "contact.create" || a.Target != "contact:1" || a.Before != nil {
		t.Fatalf("create audit = %+v", a)
	}
	if strings.Contains(string(a.After), "sealed:") || !strings.Contains(string(a.After), `"secret":"(set)"`) ||
		!strings.Contains(string(a.After), `"X-Token":"(set)"`) || !strings.Contains(string(a.After), "hooks.example.com") {
		t.Fatalf("create audit after = %s; want sealed values as (set), the rest as is", a.After)
	}

	c.Name, c.Type = "Ops Webhook", "slack" // a change of case keeps the name
	wantErr(t, db.UpdateContact(c, testActor), nil)
	got, _ = db.Contact(c.ID)
	if got.Name != "Ops Webhook" || got.Type != "slack" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("updated contact = %+v", got)
	}
	if a := lastAudit(t, db); a.Action != "contact.update" || strings.Contains(string(a.Before)+string(a.After), "sealed:") {
		t.Fatalf("update audit = %+v", a)
	}
	cs, err := db.Contacts()
	wantErr(t, err, nil)
	if len(cs) != 1 || cs[0].Name != "Ops Webhook" {
		t.Fatalf("Contacts = %+v", cs)
	}

	wantErr(t, db.DeleteContact(c.ID, testActor), nil)
	_, err = db.Contact(c.ID)
	wantErr(t, err, ErrNotFound)
	if a := lastAudit(t, db); a.Action != "contact.delete" || a.After != nil || strings.Contains(string(a.Before), "sealed:") {
		t.Fatalf("delete audit = %+v", a)
	}
	// The name is free again.
	wantErr(t, db.CreateContact(sampleContact("ops webhook"), testActor), nil)
}

func TestContactNamesUnique(t *testing.T) {
	db := openTestDB(t)
	wantErr(t, db.CreateContact(sampleContact("Alice"), testActor), nil)
	bob := sampleContact("bob")
	wantErr(t, db.CreateContact(bob, testActor), nil)
	wantErr(t, db.CreateContact(sampleContact("ALICE"), testActor), ErrConflict)
	bob.Name = "alice"
	wantErr(t, db.UpdateContact(bob, testActor), ErrConflict)
	if got, _ := db.Contact(bob.ID); got.Name != "bob" {
		t.Fatalf("a refused rename changed the contact: %+v", got)
	}
	// Groups have names of their own.
	wantErr(t, db.CreateGroup(&ContactGroup{Name: "alice"}, testActor), nil)
}

func TestContactRefused(t *testing.T) {
	db := openTestDB(t)
	for _, c := range []*Contact{nil, {Name: "", Type: "email"}, {Name: " x", Type: "email"}, {Name: "x"}} {
		if err := db.CreateContact(c, testActor); err == nil {
			t.Errorf("CreateContact(%+v) succeeded", c)
		}
	}
	for _, id := range []string{"", "0", "7", "abc", "01"} {
		c := sampleContact("x")
		c.ID = id
		wantErr(t, db.UpdateContact(c, testActor), ErrNotFound)
		wantErr(t, db.DeleteContact(id, testActor), ErrNotFound)
		_, err := db.Contact(id)
		wantErr(t, err, ErrNotFound)
	}
	if es, _ := db.Audit(AuditQuery{}); len(es) != 0 {
		t.Fatalf("refused changes were audited: %+v", es)
	}
}

func TestGroupLifecycle(t *testing.T) {
	db := openTestDB(t)
	a, b := sampleContact("a"), sampleContact("b")
	wantErr(t, db.CreateContact(a, testActor), nil)
	wantErr(t, db.CreateContact(b, testActor), nil)
	g := &ContactGroup{Name: "DBAs", Members: []string{a.ID, b.ID}}
	wantErr(t, db.CreateGroup(g, testActor), nil)
	if g.ID == a.ID || g.ID == b.ID || g.ID == "" {
		t.Fatalf("group id %q collides with a contact's", g.ID)
	}
	// Contacts created after a group do not take its id either.
	c := sampleContact("c")
	wantErr(t, db.CreateContact(c, testActor), nil)
	if c.ID == g.ID {
		t.Fatalf("contact took group id %s", g.ID)
	}
	if au := lastAudit(t, db); au.Action != "contact.create" {
		t.Fatalf("audit = %+v", au)
	}
	got, err := db.Group(g.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *g) {
		t.Fatalf("Group = %+v, want %+v", got, *g)
	}
	_, err = db.Group(a.ID) // a contact's id is no group
	wantErr(t, err, ErrNotFound)
	_, err = db.Contact(g.ID)
	wantErr(t, err, ErrNotFound)

	g.Members = []string{b.ID}
	wantErr(t, db.UpdateGroup(g, testActor), nil)
	if au := lastAudit(t, db); au.Action != "contact_group.update" || au.Target != "contact_group:"+g.ID {
		t.Fatalf("update audit = %+v", au)
	}
	gs, _ := db.Groups()
	if len(gs) != 1 || !reflect.DeepEqual(gs[0].Members, []string{b.ID}) {
		t.Fatalf("Groups = %+v", gs)
	}
	wantErr(t, db.DeleteGroup(g.ID, testActor), nil)
	if cs, _ := db.Contacts(); len(cs) != 3 {
		t.Fatalf("deleting a group deleted contacts: %d left", len(cs))
	}
	wantErr(t, db.DeleteGroup(g.ID, testActor), ErrNotFound)
}

func TestGroupMembersNeverNull(t *testing.T) {
	db := openTestDB(t)
	g := &ContactGroup{Name: "empty"}
	wantErr(t, db.CreateGroup(g, testActor), nil)
	got, _ := db.Group(g.ID)
	if got.Members == nil {
		t.Fatal("Members is nil: the API would show null")
	}
}

func TestRedactSealed(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ``},
		{`{}`, `{}`},
		{`{"a":"sealed:v1:x","b":"plain","c":["sealed:v2:y",1,null],"d":{"e":"sealed:z"}}`,
			`{"a":"(set)","b":"plain","c":["(set)",1,null],"d":{"e":"(set)"}}`},
		{`not json sealed:v1:x`, `null`},
	}
	for _, tt := range tests {
		if got := string(redactSealed(json.RawMessage(tt.in))); got != tt.want {
			t.Errorf("redactSealed(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
