package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func incidentIDs(is []Incident) []string {
	ids := []string{}
	for _, i := range is {
		ids = append(ids, i.ID)
	}
	return ids
}

func TestIncidentQueries(t *testing.T) {
	db := openTestDB(t)
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	// Incidents 1..12 on monitors "1" and "10" (a shared prefix);
	// every third one stays open.
	for n := 1; n <= 12; n++ {
		i := &Incident{MonitorID: "1", StartedAt: start.Add(time.Duration(n) * time.Minute), Status: IncidentOpen, Message: "down"}
		if n%2 == 0 {
			i.MonitorID = "10"
		}
		wantErr(t, db.CreateIncident(i), nil)
		if n%3 != 0 {
			end := i.StartedAt.Add(time.Minute)
			i.Status, i.EndedAt = IncidentResolved, &end
			wantErr(t, db.UpdateIncident(i), nil)
		}
	}
	tests := []struct {
		name string
		q    IncidentQuery
		want []string
	}{
		{"all newest first", IncidentQuery{}, []string{"12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"}},
		{"limit", IncidentQuery{Limit: 3}, []string{"12", "11", "10"}},
		{"open", IncidentQuery{Open: true}, []string{"12", "9", "6", "3"}},
		{"monitor 1", IncidentQuery{MonitorID: "1"}, []string{"11", "9", "7", "5", "3", "1"}},
		{"monitor 10", IncidentQuery{MonitorID: "10", Limit: 2}, []string{"12", "10"}},
		{"open of monitor 1", IncidentQuery{Open: true, MonitorID: "1"}, []string{"9", "3"}},
		{"unknown monitor", IncidentQuery{MonitorID: "2"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Incidents(tc.q)
			wantErr(t, err, nil)
			if ids := incidentIDs(got); !reflect.DeepEqual(ids, tc.want) {
				t.Fatalf("ids = %v, want %v", ids, tc.want)
			}
		})
	}
	t.Run("reopened and moved incidents follow the indexes", func(t *testing.T) {
		i, err := db.Incident("1")
		wantErr(t, err, nil)
		i.Status, i.EndedAt, i.MonitorID = IncidentOpen, nil, "10"
		wantErr(t, db.UpdateIncident(&i), nil)
		got, _ := db.Incidents(IncidentQuery{Open: true, MonitorID: "10"})
		if ids := incidentIDs(got); !reflect.DeepEqual(ids, []string{"12", "6", "1"}) {
			t.Fatalf("open of monitor 10 = %v", ids)
		}
		got, _ = db.Incidents(IncidentQuery{MonitorID: "1"})
		if ids := incidentIDs(got); !reflect.DeepEqual(ids, []string{"11", "9", "7", "5", "3"}) {
			t.Fatalf("monitor 1 = %v", ids)
		}
	})
}

func TestIncidentValidation(t *testing.T) {
	db := openTestDB(t)
	tests := []struct {
		name string
		inc  *Incident
	}{
		{"nil", nil},
		{"bad status", &Incident{MonitorID: "1", Status: "closed"}},
		{"no monitor", &Incident{Status: IncidentOpen}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.CreateIncident(tc.inc); err == nil {
				t.Fatal("no error")
			}
		})
	}
	wantErr(t, db.UpdateIncident(&Incident{ID: "5", MonitorID: "1", Status: IncidentOpen}), ErrNotFound)
	_, err := db.Incident("5")
	wantErr(t, err, ErrNotFound)
}

func TestAckIncident(t *testing.T) {
	db := openTestDB(t)
	inc := &Incident{MonitorID: "1", StartedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), Status: IncidentOpen}
	wantErr(t, db.CreateIncident(inc), nil)
	at := inc.StartedAt.Add(5 * time.Minute)

	got, err := db.AckIncident(inc.ID, "looking", testActor, at)
	wantErr(t, err, nil)
	if got.AcknowledgedBy != "alice" || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(at) || got.AckNote != "looking" {
		t.Fatalf("acked incident = %+v", got)
	}
	stored, _ := db.Incident(inc.ID)
	if !reflect.DeepEqual(stored, got) {
		t.Fatalf("stored %+v, returned %+v", stored, got)
	}
	a := lastAudit(t, db)
	if a.Action != "incident.ack" || a.Target != "incident:1" || a.Actor != "alice" {
		t.Fatalf("ack audit = %+v", a)
	}

	t.Run("second ack keeps the first", func(t *testing.T) {
		bob := Actor{UserID: "2", Username: "bob"}
		again, err := db.AckIncident(inc.ID, "me too", bob, at.Add(time.Minute))
		wantErr(t, err, ErrConflict)
		if again.AcknowledgedBy != "alice" || again.AckNote != "looking" {
			t.Fatalf("second ack returned %+v", again)
		}
		if es, _ := db.Audit(AuditQuery{}); len(es) != 1 {
			t.Fatalf("audit has %d entries, want 1", len(es))
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := db.AckIncident("9", "", testActor, at)
		wantErr(t, err, ErrNotFound)
	})
	t.Run("json names", func(t *testing.T) {
		data, _ := json.Marshal(stored)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		for _, k := range []string{"id", "monitor_id", "started_at", "ended_at", "status", "message", "acknowledged_by", "acknowledged_at", "ack_note"} {
			if _, ok := m[k]; !ok {
				t.Errorf("incident JSON lacks %q: %s", k, data)
			}
		}
	})
}

// BenchmarkIncidentsOpen measures the open-incidents query over a long
// history: 5,000 incidents of which 10 are open.
func BenchmarkIncidentsOpen(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for n := range 5000 {
			i := Incident{MonitorID: strconv.Itoa(n % 50), Status: IncidentResolved, Message: "down"}
			if n%500 == 0 {
				i.Status = IncidentOpen
			}
			id, key, err := newID(tx.Bucket(bucketIncidents))
			if err != nil {
				return err
			}
			i.ID = id
			if err := putIncidentTx(tx, key, nil, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []IncidentQuery{{Open: true}, {MonitorID: "7", Limit: 20}, {Limit: 20}, {}} {
		b.Run(fmt.Sprintf("open=%v,monitor=%q,limit=%d", q.Open, q.MonitorID, q.Limit), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Incidents(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestResolveIncident(t *testing.T) {
	db := openTestDB(t)
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	inc := &Incident{MonitorID: "1", StartedAt: start, Status: IncidentOpen, Message: "down"}
	wantErr(t, db.CreateIncident(inc), nil)
	// Acknowledged after the engine read the incident, before it resolves.
	acked, err := db.AckIncident(inc.ID, "looking", testActor, start.Add(time.Minute))
	wantErr(t, err, nil)
	end := start.Add(10 * time.Minute).In(time.FixedZone("x", 3600))

	got, resolved, err := db.ResolveIncident(inc.ID, end)
	wantErr(t, err, nil)
	want := acked
	want.Status, want.EndedAt = IncidentResolved, &end
	if !resolved || got.Status != IncidentResolved || got.EndedAt == nil || !got.EndedAt.Equal(end) ||
		got.AcknowledgedBy != "alice" || got.AckNote != "looking" || got.Message != "down" {
		t.Fatalf("ResolveIncident = %+v, %v; want %+v, true", got, resolved, want)
	}
	if stored, _ := db.Incident(inc.ID); !reflect.DeepEqual(stored, got) {
		t.Fatalf("stored %+v, returned %+v", stored, got)
	}
	if open, _ := db.Incidents(IncidentQuery{Open: true}); len(open) != 0 {
		t.Fatalf("open index still has %v", incidentIDs(open))
	}
	if mine, _ := db.Incidents(IncidentQuery{MonitorID: "1"}); len(mine) != 1 {
		t.Fatalf("monitor index has %v, want the incident", incidentIDs(mine))
	}
	if es, _ := db.Audit(AuditQuery{}); len(es) != 1 {
		t.Fatalf("audit has %d entries, want only the ack", len(es))
	}

	t.Run("resolved already", func(t *testing.T) {
		again, resolved, err := db.ResolveIncident(inc.ID, end.Add(time.Hour))
		wantErr(t, err, nil)
		if resolved || !reflect.DeepEqual(again, got) {
			t.Fatalf("second resolve = %+v, %v; want %+v unchanged, false", again, resolved, got)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		for _, id := range []string{"9", "x", ""} {
			_, _, err := db.ResolveIncident(id, end)
			wantErr(t, err, ErrNotFound)
		}
	})
}

func TestOpenIncidentsOfMonitor(t *testing.T) {
	db := openTestDB(t)
	// Many open incidents of other monitors, a resolved and two open ones
	// of monitor 7.
	for n := range 30 {
		i := &Incident{MonitorID: fmt.Sprint(n%3 + 1), Status: IncidentOpen}
		switch n {
		case 4, 20:
			i.MonitorID = "7"
		case 12:
			i.MonitorID, i.Status = "7", IncidentResolved
		}
		wantErr(t, db.CreateIncident(i), nil)
	}
	got, err := db.Incidents(IncidentQuery{Open: true, MonitorID: "7"})
	wantErr(t, err, nil)
	if ids := incidentIDs(got); !reflect.DeepEqual(ids, []string{"21", "5"}) {
		t.Fatalf("open incidents of monitor 7 = %v, want [21 5]", ids)
	}
}
