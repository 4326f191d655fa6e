package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

type windowOut struct {
	ID       string
	Name     string
	Start    *time.Time
	End      *time.Time
	Weekly   *weeklyOutput
	Monitors []string
	Tags     []string
	Agents   []string
	Active   bool
	Next     *time.Time `json:"next_change"`
}

func TestAPIMaintenance(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	agent := ts.addAgent(t, "web-1")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"Homepage","type":"tcp","target":"127.0.0.1:1","tags":["web"]}`, http.StatusCreated, &m)

	now := time.Now().UTC().Truncate(time.Second)
	start, end := now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	var w windowOut
	ts.call(t, tok, "POST", "/api/v1/maintenance", `{"name":"Migration","start":"`+start+`","end":"`+end+`","monitors":["homepage"]}`, http.StatusCreated, &w)
	if w.ID == "" || !w.Active || w.Next == nil || !w.Next.Equal(now.Add(time.Hour)) || len(w.Monitors) != 1 || w.Monitors[0] != m.ID || w.Weekly != nil {
		t.Fatalf("one-off window %+v: want active, ending in an hour, the monitor by id", w)
	}

	body := `{"name":"Saturday patching","weekly":{"days":["sat","Sunday",1],"from":"22:00","to":"02:00","time_zone":"Europe/Berlin"},"tags":["db"],"agents":["web-1"]}`
	ts.call(t, tok, "POST", "/api/v1/maintenance", body, http.StatusCreated, &w)
	if w.Weekly == nil || fmt.Sprint(w.Weekly.Days) != "[6 0 1]" || w.Agents[0] != agent.ID || w.Start != nil || w.Next == nil {
		t.Fatalf("weekly window %+v %+v", w, w.Weekly)
	}
	weekly := w.ID

	cases := []struct {
		name, body, field string
		want              int
	}{
		{"no name", `{"start":"` + start + `","end":"` + end + `","tags":["x"]}`, "name", 400},
		{"bad start", `{"name":"x","start":"tomorrow","end":"` + end + `","tags":["x"]}`, "start", 400},
		{"no end", `{"name":"x","start":"` + start + `","tags":["x"]}`, "end", 400},
		{"end before start", `{"name":"x","start":"` + end + `","end":"` + start + `","tags":["x"]}`, "end", 400},
		{"over already", `{"name":"x","start":"2020-01-01T00:00:00Z","end":"2020-01-02T00:00:00Z","tags":["x"]}`, "end", 400},
		{"both kinds", `{"name":"x","start":"` + start + `","end":"` + end + `","weekly":{"days":[1],"from":"01:00","to":"02:00","time_zone":"UTC"},"tags":["x"]}`, "start", 400},
		{"no days", `{"name":"x","weekly":{"days":[],"from":"01:00","to":"02:00","time_zone":"UTC"},"tags":["x"]}`, "weekly.days", 400},
		{"bad day", `{"name":"x","weekly":{"days":[7],"from":"01:00","to":"02:00","time_zone":"UTC"},"tags":["x"]}`, "weekly.days", 400},
		{"bad day name", `{"name":"x","weekly":{"days":["someday"],"from":"01:00","to":"02:00","time_zone":"UTC"},"tags":["x"]}`, "weekly.days", 400},
		{"bad from", `{"name":"x","weekly":{"days":[1],"from":"25:00","to":"02:00","time_zone":"UTC"},"tags":["x"]}`, "weekly.from", 400},
		{"bad to", `{"name":"x","weekly":{"days":[1],"from":"01:00","to":"2pm","time_zone":"UTC"},"tags":["x"]}`, "weekly.to", 400},
		{"bad zone", `{"name":"x","weekly":{"days":[1],"from":"01:00","to":"02:00","time_zone":"Mars/Olympus"},"tags":["x"]}`, "weekly.time_zone", 400},
		{"empty scope", `{"name":"x","start":"` + start + `","end":"` + end + `"}`, "monitors", 400},
		{"unknown monitor", `{"name":"x","start":"` + start + `","end":"` + end + `","monitors":["ghost"]}`, "monitors", 400},
		{"unknown agent", `{"name":"x","start":"` + start + `","end":"` + end + `","agents":["ghost"]}`, "agents", 400},
		{"bad tag", `{"name":"x","start":"` + start + `","end":"` + end + `","tags":["a,b"]}`, "tags", 400},
		{"taken name", `{"name":"migration","start":"` + start + `","end":"` + end + `","tags":["x"]}`, "name", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			ts.call(t, tok, "POST", "/api/v1/maintenance", c.body, c.want, &e)
			if e.Field != c.field || e.Error == "" {
				t.Errorf("error %+v, want field %q", e, c.field)
			}
		})
	}

	// PUT: a one-off window becomes weekly once start and end are cleared.
	ts.call(t, tok, "PUT", "/api/v1/maintenance/"+weekly, `{"start":"`+start+`","end":"`+end+`","weekly":null}`, http.StatusOK, &w)
	if w.Weekly != nil || !w.Active {
		t.Errorf("weekly to one-off: %+v", w)
	}
	ts.call(t, tok, "PUT", "/api/v1/maintenance/"+weekly, `{"weekly":{"days":[3],"from":"00:00","to":"00:00","time_zone":"UTC"}}`, http.StatusBadRequest, nil)
	ts.call(t, tok, "PUT", "/api/v1/maintenance/"+weekly, `{"start":null,"end":null,"weekly":{"days":[3],"from":"00:00","to":"00:00","time_zone":"UTC"}}`, http.StatusOK, &w)
	if w.Weekly == nil || w.Start != nil || w.Active != (now.Weekday() == time.Wednesday) {
		t.Errorf("one-off to weekly (all Wednesday): %+v", w)
	}
	var list []windowOut
	ts.call(t, tok, "GET", "/api/v1/maintenance", nil, http.StatusOK, &list)
	if len(list) != 2 {
		t.Errorf("%d windows, want 2", len(list))
	}
	ts.call(t, tok, "GET", "/api/v1/maintenance/404", nil, http.StatusNotFound, nil)
	ts.call(t, tok, "PUT", "/api/v1/maintenance/404", `{}`, http.StatusNotFound, nil)
	viewer := ts.addUser(t, "vera", "viewer")
	ts.call(t, viewer, "GET", "/api/v1/maintenance", nil, http.StatusOK, nil)
	ts.call(t, viewer, "POST", "/api/v1/maintenance", `{}`, http.StatusForbidden, nil)
	ts.call(t, viewer, "DELETE", "/api/v1/maintenance/"+weekly, nil, http.StatusForbidden, nil)
	ts.call(t, tok, "DELETE", "/api/v1/maintenance/"+weekly, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "DELETE", "/api/v1/maintenance/"+weekly, nil, http.StatusNotFound, nil)
	if !strings.Contains(ts.auditText(t, tok), "maintenance.delete") {
		t.Error("the deletion is not in the audit log")
	}
}

func windowWeekly(days []time.Weekday, from, to, zone string) store.MaintenanceWindow {
	return store.MaintenanceWindow{Name: "w", Weekly: &store.WeeklyWindow{Days: days, From: from, To: to, TimeZone: zone}, Tags: []string{"x"}}
}

func TestWindowStateAcrossMidnight(t *testing.T) {
	// Saturday 22:00 to 02:00 in Berlin (UTC+1 in November).
	w := windowWeekly([]time.Weekday{time.Saturday}, "22:00", "02:00", "Europe/Berlin")
	cases := []struct {
		at     string
		active bool
		next   string
	}{
		{"2026-11-28T20:59:00Z", false, "2026-11-28T21:00:00Z"}, // Saturday 21:59 local
		{"2026-11-28T21:00:00Z", true, "2026-11-29T01:00:00Z"},
		{"2026-11-29T00:30:00Z", true, "2026-11-29T01:00:00Z"}, // Sunday 01:30 local
		{"2026-11-29T01:00:00Z", false, "2026-12-05T21:00:00Z"},
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		active, next := windowState(w, at)
		if active != c.active || next == nil || next.UTC().Format(time.RFC3339) != c.next {
			t.Errorf("at %s: active %v next %v, want %v %s", c.at, active, next, c.active, c.next)
		}
	}
}
