package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

func TestMonitorStates(t *testing.T) {
	db := openTestDB(t)
	for _, n := range []string{"a", "b"} {
		wantErr(t, db.CreateMonitor(sampleMonitor(n), testActor), nil)
	}
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	states := []MonitorState{
		{MonitorID: "1", Status: checks.StatusProblem, Since: at, IncidentID: "4", Locations: map[string]LocationState{
			"server": {Status: checks.StatusProblem, Fails: 3, Since: at, Last: checks.Result{At: at, Location: "server", Status: checks.StatusProblem, LatencyMS: 12.5, Message: "timeout"}},
		}},
		{MonitorID: "2", Status: checks.StatusOK, Since: at, Locations: map[string]LocationState{}},
		{MonitorID: "9", Status: checks.StatusOK}, // deleted or never existed: dropped
	}
	wantErr(t, db.PutMonitorStates(states), nil)
	got, err := db.MonitorStates()
	wantErr(t, err, nil)
	want := map[string]MonitorState{"1": states[0], "2": states[1]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MonitorStates = %+v\nwant %+v", got, want)
	}

	t.Run("bad id rolls back the batch", func(t *testing.T) {
		err := db.PutMonitorStates([]MonitorState{{MonitorID: "2", Status: checks.StatusProblem}, {MonitorID: "x"}})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("error = %v, want ErrNotFound", err)
		}
		got, _ := db.MonitorStates()
		if got["2"].Status != checks.StatusOK {
			t.Fatalf("state 2 = %v after a failed batch, want ok", got["2"].Status)
		}
	})
	t.Run("not audited", func(t *testing.T) {
		es, _ := db.Audit(AuditQuery{})
		for _, e := range es {
			if e.Action != "monitor.create" {
				t.Fatalf("unexpected audit entry %+v", e)
			}
		}
	})
}
