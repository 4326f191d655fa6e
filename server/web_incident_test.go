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

// TestWebIncidentLogNamesAndSecrets: a cancelled escalation step shows
// whom it was for, and a viewer sees a provider's URL without its path,
// as the API shows it.
func TestWebIncidentLogNamesAndSecrets(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ts.addUser(t, "vera", "viewer")
	inc, m := ts.openIncident(t, tok)
	ops := ts.addContact(t, tok, "Ops mail")
	step := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, ContactID: ops, Event: "incident.opened", Step: 2,
		NotBefore: time.Now().Add(10 * time.Minute), Payload: []byte(`{}`)}
	orphan := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, Event: "incident.opened", Step: 3,
		NotBefore: time.Now().Add(20 * time.Minute), Payload: []byte(`{}`)}
	failed := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, ContactID: "77", Event: "incident.opened", Payload: []byte(`{}`)}
	if err := ts.db.EnqueueNotifications([]*store.OutboxEntry{step, orphan, failed}); err != nil {
		t.Fatal(err)
	}
	a := store.NotificationAttempt{ContactID: "77", ContactName: "Chat", ContactType: "webhook", Event: "incident.opened",
		Attempt: 1, At: time.Now(), Result: "gave_up", Error: "POST https://chat.example.com/hooks/s3cr3t-token: 410 Gone"}
	if err := ts.db.DropNotification(failed.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.CancelNotifications(inc.ID, func(store.OutboxEntry) bool { return true },
		store.NotificationAttempt{At: time.Now(), Result: "cancelled", Error: "acknowledged by alice"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user       string
		see, never []string
	}{
		{"admin", []string{"Ops mail", "escalation step 3", "cancelled", "https://chat.example.com/hooks/s3cr3t-token"}, nil},
		{"vera", []string{"Ops mail", "escalation step 3", "https://chat.example.com/…: 410 Gone"}, []string{"s3cr3t"}},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			b := newBrowser(t, ts)
			if tc.user == "admin" {
				b.login()
			} else {
				b.loginAs(tc.user)
			}
			_, page := b.get("/incidents/" + inc.ID)
			for _, want := range tc.see {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			for _, bad := range tc.never {
				if strings.Contains(page, bad) {
					t.Errorf("the page shows %q", bad)
				}
			}
		})
	}
}
