package store

import (
	"reflect"
	"testing"
)

func TestRouteLifecycle(t *testing.T) {
	db := openTestDB(t)
	r := &NotifyRoute{Name: "databases", Tags: []string{"db"}, Notify: []string{"4"}, Escalation: "2"}
	wantErr(t, db.CreateRoute(r, testActor), nil)
	if r.AgentLabels == nil {
		t.Fatal("AgentLabels left nil")
	}
	got, err := db.Route(r.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *r) {
		t.Fatalf("Route = %+v, want %+v", got, *r)
	}
	if a := lastAudit(t, db); a.Action != "notify_route.create" || a.Target != "notify_route:"+r.ID {
		t.Fatalf("audit = %+v", a)
	}
	second := &NotifyRoute{Name: "eu hosts", AgentLabels: []string{"eu"}, Notify: []string{"5"}}
	wantErr(t, db.CreateRoute(second, testActor), nil)
	wantErr(t, db.CreateRoute(&NotifyRoute{Name: "Databases"}, testActor), ErrConflict)

	r.Tags = append(r.Tags, "postgres")
	wantErr(t, db.UpdateRoute(r, testActor), nil)
	rs, err := db.Routes()
	wantErr(t, err, nil)
	if len(rs) != 2 || rs[0].ID != r.ID || !reflect.DeepEqual(rs[0].Tags, []string{"db", "postgres"}) || rs[1].ID != second.ID {
		t.Fatalf("Routes = %+v", rs)
	}
	wantErr(t, db.DeleteRoute(r.ID, testActor), nil)
	wantErr(t, db.DeleteRoute(r.ID, testActor), ErrNotFound)
	if a := lastAudit(t, db); a.Action != "notify_route.delete" {
		t.Fatalf("audit = %+v", a)
	}
}
