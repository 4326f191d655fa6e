package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/ui"
)

func TestWebMaintenanceForm(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	agent := ts.addAgent(t, "web-1")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"Homepage","type":"tcp","target":"127.0.0.1:1","paused":true}`, http.StatusCreated, &m)
	b := newBrowser(t, ts)
	csrf := b.login()

	_, page := b.get("/maintenance")
	if !strings.Contains(page, `<option value="Europe/Berlin">`) || !strings.Contains(page, `value="UTC" selected`) {
		t.Error("the form does not offer common zones with UTC chosen")
	}
	resp, page := b.post("/maintenance", url.Values{"csrf": {csrf}, "name": {""}, "kind": {"once"}, "start": {"yesterday"},
		"end": {"2030-01-01T10:00"}, "time_zone": {"UTC"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad window: %d", resp.StatusCode)
	}
	for _, f := range []string{"name", "start", "monitors"} {
		if errorBeside(page, f) == "" {
			t.Errorf("no error beside %s", f)
		}
	}

	// One-off, typed in Berlin time: stored as the instant in UTC.
	resp, _ = b.post("/maintenance", url.Values{"csrf": {csrf}, "name": {"Migration"}, "kind": {"once"},
		"start": {"2030-06-01T22:00"}, "end": {"2030-06-02T01:30"}, "time_zone": {"Europe/Berlin"}, "monitors": {m.ID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("one-off: %d", resp.StatusCode)
	}
	list, _ := ts.db.MaintenanceWindows()
	if len(list) != 1 || list[0].Start.Format(time.RFC3339) != "2030-06-01T20:00:00Z" || list[0].End.Format(time.RFC3339) != "2030-06-01T23:30:00Z" {
		t.Fatalf("stored %+v, want 20:00–23:30 UTC (Berlin is UTC+2 in June)", list)
	}

	resp, page = b.post("/maintenance", url.Values{"csrf": {csrf}, "name": {"Patching"}, "kind": {"weekly"},
		"from": {"22:00"}, "to": {"2am"}, "time_zone": {"other"}, "time_zone_other": {"Mars/Olympus"}, "agents": {agent.ID}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "days") == "" || errorBeside(page, "to") == "" || errorBeside(page, "time_zone") == "" {
		t.Fatalf("bad weekly: %d, days %q to %q zone %q", resp.StatusCode, errorBeside(page, "days"), errorBeside(page, "to"), errorBeside(page, "time_zone"))
	}
	resp, _ = b.post("/maintenance", url.Values{"csrf": {csrf}, "name": {"Patching"}, "kind": {"weekly"}, "days": {"6", "0"},
		"from": {"22:00"}, "to": {"02:00"}, "time_zone": {"other"}, "time_zone_other": {"America/Halifax"}, "agents": {agent.ID}, "tags": {"db, web"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("weekly: %d", resp.StatusCode)
	}
	list, _ = ts.db.MaintenanceWindows()
	w := list[1]
	if w.Weekly == nil || w.Weekly.TimeZone != "America/Halifax" || len(w.Weekly.Days) != 2 || w.Agents[0] != agent.ID || strings.Join(w.Tags, ",") != "db,web" {
		t.Fatalf("weekly stored %+v %+v", w, w.Weekly)
	}
	_, page = b.get("/maintenance/" + w.ID + "/edit")
	if !strings.Contains(page, `value="America/Halifax" selected`) || !strings.Contains(page, `value="6" checked`) {
		t.Error("the edit form does not show the typed zone chosen and the days ticked")
	}
	_, page = b.get("/maintenance")
	if n := strings.Count(page, `data-testid="maintenance-row"`); n != 2 || !strings.Contains(page, "Every Sat, Sun 22:00–02:00 America/Halifax") {
		t.Errorf("%d rows; the weekly schedule is not described", n)
	}
	b.post("/maintenance/"+w.ID+"/delete", url.Values{"csrf": {csrf}})
	if list, _ = ts.db.MaintenanceWindows(); len(list) != 1 {
		t.Errorf("%d windows after deleting one of two", len(list))
	}
}

// TestDashboardMaintenance: an active window gives the dashboard a banner
// and marks the rows of the monitors it covers.
func TestDashboardMaintenance(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var web, db monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"Web","type":"tcp","target":"127.0.0.1:1","paused":true,"tags":["web"]}`, http.StatusCreated, &web)
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"DB","type":"tcp","target":"127.0.0.1:1","paused":true,"tags":["db"]}`, http.StatusCreated, &db)
	end := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	ts.call(t, tok, "POST", "/api/v1/maintenance", `{"name":"DB upgrade","start":"`+time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)+`","end":"`+end.Format(time.RFC3339)+`","tags":["db"]}`, http.StatusCreated, nil)
	ts.call(t, tok, "POST", "/api/v1/maintenance", `{"name":"Later","start":"2030-01-01T00:00:00Z","end":"2030-01-02T00:00:00Z","tags":["web"]}`, http.StatusCreated, nil)

	p := ui.DashboardProps{Monitors: []ui.MonitorRow{{ID: web.ID}, {ID: db.ID}}}
	ts.dashboardMaintenance(&p)
	if len(p.Maintenance) != 1 || p.Maintenance[0].Name != "DB upgrade" || !p.Maintenance[0].Until.Equal(end) || p.Maintenance[0].Monitors != 1 {
		t.Errorf("banners %+v, want DB upgrade until %s covering 1 monitor", p.Maintenance, end)
	}
	if p.Monitors[0].Maintenance != "" || p.Monitors[1].Maintenance != "DB upgrade" {
		t.Errorf("rows %+v, want only DB marked", p.Monitors)
	}
}
