package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// openIncident stores an open incident of a new monitor, as the engine
// would, and returns it.
func (ts *testServer) openIncident(t *testing.T, token string) (store.Incident, monitorOutput) {
	t.Helper()
	var m monitorOutput
	ts.call(t, token, "POST", "/api/v1/monitors", `{"name":"Payments API","type":"tcp","target":"127.0.0.1:1","paused":true}`, http.StatusCreated, &m)
	inc := store.Incident{MonitorID: m.ID, StartedAt: time.Now().UTC().Add(-time.Minute), Status: store.IncidentOpen, Message: "connection refused"}
	if err := ts.db.CreateIncident(&inc); err != nil {
		t.Fatal(err)
	}
	return inc, m
}

func TestAPIIncidentAndNotificationLog(t *testing.T) {
	ts := newTestServer(t, true)
	viewer := ts.addUser(t, "vera", "viewer")
	inc, _ := ts.openIncident(t, ts.token(t, "admin"))

	var got store.Incident
	ts.call(t, viewer, "GET", "/api/v1/incidents/"+inc.ID, nil, http.StatusOK, &got)
	if got.ID != inc.ID || got.Status != "open" || got.Message != "connection refused" {
		t.Errorf("incident %+v", got)
	}
	ts.call(t, viewer, "GET", "/api/v1/incidents/999", nil, http.StatusNotFound, nil)
	ts.call(t, viewer, "GET", "/api/v1/incidents/999/notifications", nil, http.StatusNotFound, nil)

	var log []attemptOutput
	ts.call(t, viewer, "GET", "/api/v1/incidents/"+inc.ID+"/notifications", nil, http.StatusOK, &log)
	if log == nil || len(log) != 0 {
		t.Fatalf("log %v, want an empty list", log)
	}
	// Two attempts: one retried, then sent.
	e := &store.OutboxEntry{IncidentID: inc.ID, MonitorID: inc.MonitorID, ContactID: "7", Event: "incident.opened", Payload: []byte(`{}`)}
	if err := ts.db.EnqueueNotifications([]*store.OutboxEntry{e}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	a := store.NotificationAttempt{ContactID: "7", ContactName: "Ticket desk", ContactType: "webhook", Event: "incident.opened",
		Attempt: 1, At: at, Result: "retrying", Error: "503 Service Unavailable", NotifiedAfter: 350 * time.Millisecond}
	if err := ts.db.RetryNotification(e.ID, at.Add(5*time.Second), a); err != nil {
		t.Fatal(err)
	}
	a.Attempt, a.Result, a.Error, a.At = 2, "sent", "", at.Add(5*time.Second)
	if err := ts.db.CompleteNotification(e.ID, a); err != nil {
		t.Fatal(err)
	}
	ts.call(t, viewer, "GET", "/api/v1/incidents/"+inc.ID+"/notifications", nil, http.StatusOK, &log)
	if len(log) != 2 || log[0].Result != "retrying" || log[0].Error != "503 Service Unavailable" || log[0].AfterMillis != 350 ||
		log[1].Result != "sent" || log[1].Attempt != 2 || log[1].Contact != "Ticket desk" || log[1].Type != "webhook" || log[1].Event != "incident.opened" {
		t.Errorf("log %+v", log)
	}
	ts.call(t, "", "GET", "/api/v1/incidents/"+inc.ID+"/notifications", nil, http.StatusUnauthorized, nil)
}

func TestAckLink(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	contact := ts.addContact(t, admin, "Ops mail")
	inc, _ := ts.openIncident(t, admin)
	link, err := url.Parse(ts.ackSigner.Link(inc.ID, contact, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	path := "/ack/" + inc.ID
	b := newBrowser(t, ts) // no session: the link is the authority

	resp, page := b.get(path + "?" + link.RawQuery)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Acknowledge incident "+inc.ID+" of monitor Payments API?") ||
		!strings.Contains(page, `data-testid="ack-link-form"`) {
		t.Fatalf("GET: %d\n%s", resp.StatusCode, page)
	}
	if got, _ := ts.db.Incident(inc.ID); got.AcknowledgedAt != nil {
		t.Fatal("a GET of the link acknowledged the incident: mail scanners would too")
	}

	bad := []struct {
		name  string
		query url.Values
	}{
		{"no signature", url.Values{"c": {contact}, "e": {link.Query().Get("e")}}},
		{"tampered contact", url.Values{"c": {"999"}, "e": {link.Query().Get("e")}, "s": {link.Query().Get("s")}}},
		{"tampered expiry", url.Values{"c": {contact}, "e": {"99999999999"}, "s": {link.Query().Get("s")}}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if resp, _ := b.get(path + "?" + c.query.Encode()); resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET: %d, want 403", resp.StatusCode)
			}
			if resp, _ := b.post(path, c.query); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST: %d, want 403", resp.StatusCode)
			}
		})
	}
	t.Run("another incident", func(t *testing.T) {
		other, _ := ts.openIncident(t, admin)
		if resp, _ := b.post("/ack/"+other.ID, link.Query()); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the link of incident %s acknowledged %s: %d", inc.ID, other.ID, resp.StatusCode)
		}
	})
	t.Run("expired", func(t *testing.T) {
		old, _ := url.Parse(ts.ackSigner.Link(inc.ID, contact, time.Now().Add(-time.Minute)))
		resp, page := b.get(path + "?" + old.RawQuery)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "expired") {
			t.Errorf("expired link: %d", resp.StatusCode)
		}
	})
	t.Run("cross-origin post", func(t *testing.T) {
		req, _ := http.NewRequest("POST", ts.url(path), strings.NewReader(link.Query().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
		}
	})
	if got, _ := ts.db.Incident(inc.ID); got.AcknowledgedAt != nil {
		t.Fatal("a bad link acknowledged the incident")
	}

	resp, page = b.post(path, link.Query())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is acknowledged by Ops mail (email link)") {
		t.Fatalf("POST: %d\n%s", resp.StatusCode, page)
	}
	got, _ := ts.db.Incident(inc.ID)
	if got.AcknowledgedBy != "contact:Ops mail (email link)" || got.AcknowledgedAt == nil {
		t.Errorf("incident %+v, want acknowledged by the contact", got)
	}
	if !strings.Contains(ts.auditText(t, admin), "contact:Ops mail (email link)") {
		t.Error("the acknowledgement is not in the audit log under the contact's name")
	}
	// Twice: nothing more happens, and the page says so.
	resp, page = b.post(path, link.Query())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "acknowledged already") {
		t.Errorf("second POST: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := b.get("/ack/999?" + link.RawQuery); resp.StatusCode != http.StatusForbidden {
		t.Errorf("link for an unknown incident: %d, want 403 (the signature does not match)", resp.StatusCode)
	}
}
