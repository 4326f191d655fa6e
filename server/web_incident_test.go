package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

func TestWebIncidentPage(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	inc, m := ts.openIncident(t, tok)
	e := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, ContactID: "7", Event: "incident.opened", Payload: []byte(`{}`)}
	later := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, ContactID: "8", Event: "incident.opened", Step: 1,
		NotBefore: time.Now().Add(10 * time.Minute), Payload: []byte(`{}`)}
	if err := ts.db.EnqueueNotifications([]*store.OutboxEntry{e, later}); err != nil {
		t.Fatal(err)
	}
	a := store.NotificationAttempt{ContactID: "7", ContactName: "Ticket desk", ContactType: "webhook", Event: "incident.opened",
		Attempt: 1, At: time.Now(), Result: "gave_up", Error: "410 Gone"}
	if err := ts.db.DropNotification(e.ID, a); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	csrf := b.login()

	_, page := b.get("/incidents?filter=all")
	if !strings.Contains(page, `href="/incidents/`+inc.ID+`"`) {
		t.Error("the incidents list does not link to the incident's page")
	}
	resp, page := b.get("/incidents/" + inc.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("incident page: %d", resp.StatusCode)
	}
	for _, want := range []string{"Payments API", "connection refused", `data-testid="ack-form"`, "Ticket desk", "410 Gone", "gave up", "queued"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page, `data-testid="notification-row"`); n != 2 {
		t.Errorf("%d log rows, want the attempt and the queued step", n)
	}
	resp, _ = b.post("/incidents/"+inc.ID+"/ack", url.Values{"csrf": {csrf}, "note": {"on it"}, "next": {"/incidents/" + inc.ID}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/incidents/"+inc.ID {
		t.Errorf("ack from the page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/incidents/" + inc.ID)
	if strings.Contains(page, `data-testid="ack-form"`) || !strings.Contains(page, "on it") {
		t.Error("after acknowledging, the page still offers the form or lacks the note")
	}
	if resp, _ := b.get("/incidents/999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown incident: %d", resp.StatusCode)
	}
}
