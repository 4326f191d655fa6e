package store

import (
	"reflect"
	"testing"
	"time"
)

func TestMaintenanceLifecycle(t *testing.T) {
	db := openTestDB(t)
	start := time.Date(2026, 11, 28, 22, 0, 0, 0, time.FixedZone("CET", 3600))
	once := &MaintenanceWindow{Name: "upgrade", Start: start, End: start.Add(2 * time.Hour), Monitors: []string{"1"}}
	wantErr(t, db.CreateMaintenance(once, testActor), nil)
	if once.Start.Location() != time.UTC || !once.Start.Equal(start) || once.Tags == nil || once.Agents == nil {
		t.Fatalf("created window = %+v: want times in UTC and empty (not nil) lists", once)
	}
	weekly := &MaintenanceWindow{Name: "backups", Tags: []string{"db"},
		Weekly: &WeeklyWindow{Days: []time.Weekday{time.Saturday}, From: "22:00", To: "02:00", TimeZone: "Europe/Berlin"}}
	wantErr(t, db.CreateMaintenance(weekly, testActor), nil)
	for _, w := range []*MaintenanceWindow{once, weekly} {
		got, err := db.Maintenance(w.ID)
		wantErr(t, err, nil)
		if !reflect.DeepEqual(got, *w) {
			t.Fatalf("Maintenance(%s) = %+v\nwant %+v", w.ID, got, *w)
		}
	}
	if a := lastAudit(t, db); a.Action != "maintenance.create" || a.Target != "maintenance:"+weekly.ID {
		t.Fatalf("audit = %+v", a)
	}
	wantErr(t, db.CreateMaintenance(&MaintenanceWindow{Name: "Backups"}, testActor), ErrConflict)

	weekly.Weekly.To = "03:00"
	wantErr(t, db.UpdateMaintenance(weekly, testActor), nil)
	ws, err := db.MaintenanceWindows()
	wantErr(t, err, nil)
	if len(ws) != 2 || ws[1].Weekly.To != "03:00" || !ws[0].Start.Equal(start) {
		t.Fatalf("MaintenanceWindows = %+v", ws)
	}
	wantErr(t, db.DeleteMaintenance(once.ID, testActor), nil)
	_, err = db.Maintenance(once.ID)
	wantErr(t, err, ErrNotFound)
	if a := lastAudit(t, db); a.Action != "maintenance.delete" {
		t.Fatalf("audit = %+v", a)
	}
}
