package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

func sampleMonitor(name string) *Monitor {
	return &Monitor{
		Name: name, Type: "http", Target: "https://example.com/" + name,
		Interval: 30 * time.Second, Timeout: 10 * time.Second,
		Locations: []string{"server"}, Settings: json.RawMessage(`{"expect_status":200}`),
		DependsOn: []string{}, Notify: []string{"3"}, Tags: []string{"web"},
		Confirm: 2, MinFailedLocations: 1,
	}
}

func TestMonitorLifecycle(t *testing.T) {
	db := openTestDB(t)
	m := sampleMonitor("home")
	if err := db.CreateMonitor(m, testActor); err != nil {
		t.Fatal(err)
	}
	if m.ID != "1" || m.CreatedAt.IsZero() || !m.UpdatedAt.Equal(m.CreatedAt) {
		t.Fatalf("created monitor: id %q created %v updated %v", m.ID, m.CreatedAt, m.UpdatedAt)
	}
	got, err := db.Monitor(m.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *m) {
		t.Fatalf("Monitor = %+v\nwant %+v", got, *m)
	}
	a := lastAudit(t, db)
	if a.Action != "monitor.create" || a.Target != "monitor:1" || a.Actor != "alice" || a.ActorID != "1" || a.IP != "127.0.0.1" || a.Before != nil || a.After == nil {
		t.Fatalf("create audit = %+v", a)
	}

	created := m.CreatedAt
	m.Name, m.Paused, m.CreatedAt = "homepage", true, time.Time{}
	wantErr(t, db.UpdateMonitor(m, testActor), nil)
	got, _ = db.Monitor(m.ID)
	if got.Name != "homepage" || !got.Paused || !got.CreatedAt.Equal(created) || got.UpdatedAt.Before(created) {
		t.Fatalf("updated monitor = %+v", got)
	}
	a = lastAudit(t, db)
	var before, after Monitor
	if err := json.Unmarshal(a.Before, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a.After, &after); err != nil {
		t.Fatal(err)
	}
	if a.Action != "monitor.update" || before.Name != "home" || after.Name != "homepage" {
		t.Fatalf("update audit = %s before %q after %q", a.Action, before.Name, after.Name)
	}

	wantErr(t, db.PutMonitorStates([]MonitorState{{MonitorID: m.ID, Status: checks.StatusOK}}), nil)
	wantErr(t, db.DeleteMonitor(m.ID, testActor), nil)
	_, err = db.Monitor(m.ID)
	wantErr(t, err, ErrNotFound)
	states, _ := db.MonitorStates()
	if _, ok := states[m.ID]; ok {
		t.Fatal("state survived the monitor's deletion")
	}
	if a := lastAudit(t, db); a.Action != "monitor.delete" || a.Before == nil || a.After != nil {
		t.Fatalf("delete audit = %+v", a)
	}
}

func TestMonitorNotFound(t *testing.T) {
	db := openTestDB(t)
	wantErr(t, db.CreateMonitor(sampleMonitor("a"), testActor), nil)
	for _, id := range []string{"2", "0", "", "01", "abc", "-1", "99999999999999999999"} {
		t.Run("id "+id, func(t *testing.T) {
			_, err := db.Monitor(id)
			wantErr(t, err, ErrNotFound)
			m := sampleMonitor("x")
			m.ID = id
			wantErr(t, db.UpdateMonitor(m, testActor), ErrNotFound)
			wantErr(t, db.DeleteMonitor(id, testActor), ErrNotFound)
		})
	}
	// Failed changes leave no audit entry: only the creation is there.
	es, err := db.Audit(AuditQuery{})
	wantErr(t, err, nil)
	if len(es) != 1 {
		t.Fatalf("audit has %d entries, want 1", len(es))
	}
}

func TestMonitorsOrderedByID(t *testing.T) {
	db := openTestDB(t)
	for i := range 12 { // past 9, where string order and numeric order part
		wantErr(t, db.CreateMonitor(sampleMonitor(string(rune('a'+i))), testActor), nil)
	}
	wantErr(t, db.DeleteMonitor("5", testActor), nil)
	ms, err := db.Monitors()
	wantErr(t, err, nil)
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	want := []string{"1", "2", "3", "4", "6", "7", "8", "9", "10", "11", "12"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
}

func TestMonitorCopiedOut(t *testing.T) {
	db := openTestDB(t)
	m := sampleMonitor("a")
	wantErr(t, db.CreateMonitor(m, testActor), nil)
	got, _ := db.Monitor(m.ID)
	got.Settings[0] = 'X' // must not reach the store
	got.Tags[0] = "changed"
	again, _ := db.Monitor(m.ID)
	if string(again.Settings) != `{"expect_status":200}` || again.Tags[0] != "web" {
		t.Fatalf("stored monitor changed through a returned value: %+v", again)
	}
}

// A monitor's sealed secret settings are "(set)" in the audit log, as a
// contact's are: the log is read by more people than the settings.
func TestMonitorAuditRedactsSealedSettings(t *testing.T) {
	db := openTestDB(t)
	m := sampleMonitor("db")
	m.Settings = json.RawMessage(`{"username":"vigil","password":"sealed:v1:c2VjcmV0"}`)
	wantErr(t, db.CreateMonitor(m, testActor), nil)
	m.Name = "db primary"
	wantErr(t, db.UpdateMonitor(m, testActor), nil)
	a := lastAudit(t, db)
	for _, side := range []json.RawMessage{a.Before, a.After} {
		if strings.Contains(string(side), "sealed:") || !strings.Contains(string(side), `"password":"(set)"`) || !strings.Contains(string(side), `"username":"vigil"`) {
			t.Fatalf("update audit side = %s; want the sealed password as (set), the rest as is", side)
		}
	}
	got, err := db.Monitor(m.ID)
	wantErr(t, err, nil)
	if !strings.Contains(string(got.Settings), "sealed:v1:c2VjcmV0") {
		t.Fatalf("stored settings %s lost the sealed value", got.Settings)
	}
}
