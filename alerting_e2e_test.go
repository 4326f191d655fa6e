package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// webhookSink records the events a webhook contact posts, after checking
// each request's signature.
type webhookSink struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	events []webhookEvent
}

type webhookEvent struct {
	Event   string `json:"event"`
	Monitor struct {
		ID, Name string
	} `json:"monitor"`
	Incident struct {
		ID string `json:"id"`
	} `json:"incident"`
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write([]byte(r.Header.Get("X-Vigil-Timestamp") + "." + string(body)))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Vigil-Signature"))) {
		s.t.Errorf("webhook signature %q, want %q", r.Header.Get("X-Vigil-Signature"), want)
	}
	var ev webhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		s.t.Errorf("webhook body %s: %v", body, err)
	}
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
}

// count returns how many events of kind arrived for monitor id.
func (s *webhookSink) count(kind, monitorID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ev := range s.events {
		if ev.Event == kind && ev.Monitor.ID == monitorID {
			n++
		}
	}
	return n
}

func (s *webhookSink) all() []webhookEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]webhookEvent(nil), s.events...)
}

// TestE2EAlerting is the "done when" with the real binary: SMTP
// and a signed webhook set up through the API, linked to a monitor whose
// target stops; exactly one email and one webhook per transition; the
// email's one-click link acknowledges; the dependant stays quiet.
func TestE2EAlerting(t *testing.T) {
	t.Parallel()
	_, c := startAdminServer(t, "")
	mailPort, mails := startMailSink(t)
	hooks := &webhookSink{t: t, secret: "hook-secret"}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)

	c.Do(t, http.MethodPut, "/api/v1/settings/smtp", map[string]any{
		"host": "127.0.0.1", "port": mailPort, "from": "vigil@example.com", "tls": "none",
	}, http.StatusOK, nil)
	var email, hook struct{ ID string }
	c.Do(t, http.MethodPost, "/api/v1/contacts", map[string]any{
		"name": "Ops mail", "type": "email", "settings": map[string]any{"to": "ops@example.com"},
	}, http.StatusCreated, &email)
	c.Do(t, http.MethodPost, "/api/v1/contacts", map[string]any{
		"name": "Desk", "type": "webhook", "settings": map[string]any{"url": hookSrv.URL, "secret": hooks.secret},
	}, http.StatusCreated, &hook)

	parentTarget, childTarget := testenv.StartTarget(t), testenv.StartTarget(t)
	parent := createMonitorWith(t, c, map[string]any{"name": "Gateway", "type": "http", "target": parentTarget.URL,
		"interval": "1s", "timeout": "1s", "confirm": 1, "notify": []string{email.ID, hook.ID}})
	child := createMonitorWith(t, c, map[string]any{"name": "Shop", "type": "http", "target": childTarget.URL,
		"interval": "1s", "timeout": "1s", "confirm": 3, "depends_on": []string{parent}, "notify": []string{email.ID, hook.ID}})
	waitStatus(t, c, parent, "ok", 15*time.Second)
	waitStatus(t, c, child, "ok", 15*time.Second)

	parentTarget.Stop()
	childTarget.Stop()
	opened := readMail(t, mails, "the opening email")
	if !strings.Contains(opened.subject, "Gateway") || !strings.Contains(opened.text, parentTarget.URL) {
		t.Errorf("opening email: subject %q, text:\n%s", opened.subject, opened.text)
	}
	waitCount(t, hooks, "incident.opened", parent, 1)
	waitStatus(t, c, child, "problem", 15*time.Second)
	if msg := getMonitorMessage(t, c, child); !strings.Contains(msg, "parent Gateway is down") {
		t.Errorf("the dependant's message %q, want it to name its parent", msg)
	}

	// The one-click link: a GET only asks; the POST acknowledges.
	link := regexp.MustCompile(`https?://[^\s<>"]+/ack/[^\s<>"]+`).FindString(opened.text)
	if link == "" {
		t.Fatalf("no acknowledgement link in the email:\n%s", opened.text)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(c.Base + u.RequestURI())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the ack link: %v %v", resp, err)
	}
	resp.Body.Close()
	if open := openIncidents(t, c, parent); len(open) != 1 || open[0].AcknowledgedBy != "" {
		t.Fatalf("after a GET of the link the incident is %+v, want open and not acknowledged", open)
	}
	resp, err = http.PostForm(c.Base+u.Path, u.Query())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST the ack link: %v %v", resp, err)
	}
	resp.Body.Close()
	if open := openIncidents(t, c, parent); len(open) != 1 || !strings.Contains(open[0].AcknowledgedBy, "Ops mail") {
		t.Fatalf("after the link's POST the incident is %+v, want acknowledged by the contact", open)
	}
	acked := readMail(t, mails, "the acknowledgement email")
	waitCount(t, hooks, "incident.acknowledged", parent, 1)

	parentTarget.Restart()
	childTarget.Restart()
	resolved := readMail(t, mails, "the resolution email")
	waitCount(t, hooks, "incident.resolved", parent, 1)
	waitStatus(t, c, child, "ok", 15*time.Second)

	// Nothing more may come: no second message per transition, and none
	// about the dependant.
	time.Sleep(3 * time.Second)
	select {
	case m := <-mails:
		t.Errorf("an email beyond one per transition:\n%s", m)
	default:
	}
	for _, kind := range []string{"incident.opened", "incident.acknowledged", "incident.resolved"} {
		if n := hooks.count(kind, parent); n != 1 {
			t.Errorf("%d %s webhooks for the parent, want 1", n, kind)
		}
	}
	if n := len(hooks.all()); n != 3 {
		t.Errorf("%d webhooks in all, want 3: %+v", n, hooks.all())
	}
	for _, m := range []parsedMail{opened, acked, resolved} {
		if strings.Contains(m.subject, "Shop") {
			t.Errorf("an email about the dependant: %q", m.subject)
		}
	}
	if incs := openIncidents(t, c, child); len(incs) != 0 {
		t.Errorf("the dependant has open incidents: %+v", incs)
	}
	var log []struct{ Result, Event string }
	var all []testenv.Incident
	c.Do(t, http.MethodGet, "/api/v1/incidents", nil, http.StatusOK, &all)
	for _, inc := range all {
		if inc.MonitorID == parent {
			c.Do(t, http.MethodGet, "/api/v1/incidents/"+inc.ID+"/notifications", nil, http.StatusOK, &log)
		}
	}
	sent := 0
	for _, a := range log {
		if a.Result == "sent" {
			sent++
		}
	}
	if sent != 6 {
		t.Errorf("the notification log holds %d sent attempts, want 6 (3 emails, 3 webhooks): %+v", sent, log)
	}
}

func createMonitorWith(t *testing.T, c *testenv.Client, m map[string]any) string {
	t.Helper()
	var out struct{ ID string }
	c.Do(t, http.MethodPost, "/api/v1/monitors", m, http.StatusCreated, &out)
	return out.ID
}

func getMonitorMessage(t *testing.T, c *testenv.Client, id string) string {
	t.Helper()
	var m struct {
		StatusMessage string `json:"status_message"`
	}
	c.Do(t, http.MethodGet, "/api/v1/monitors/"+id, nil, http.StatusOK, &m)
	return m.StatusMessage
}

func waitCount(t *testing.T, hooks *webhookSink, kind, monitorID string, want int) {
	t.Helper()
	testenv.WaitUntil(t, 20*time.Second, strconv.Itoa(want)+" "+kind+" webhook", func(context.Context) (bool, string) {
		n := hooks.count(kind, monitorID)
		return n >= want, strconv.Itoa(n) + " so far"
	})
}

type parsedMail struct{ subject, text string }

// readMail takes the next message from the sink and returns its subject
// and its text/plain part, decoded.
func readMail(t *testing.T, mails <-chan string, what string) parsedMail {
	t.Helper()
	raw := waitFor(t, mails, what)
	raw = raw[strings.Index(raw, "\n")+1:] // the sink puts the recipients first
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("%s: content type %q (%v), want multipart", what, msg.Header.Get("Content-Type"), err)
	}
	text := findTextPart(t, multipart.NewReader(msg.Body, params["boundary"]))
	return parsedMail{subject: subject, text: text}
}

func findTextPart(t *testing.T, mr *multipart.Reader) string {
	t.Helper()
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		mt, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			return findTextPart(t, multipart.NewReader(p, params["boundary"]))
		}
		if mt == "text/plain" {
			b, _ := io.ReadAll(p) // quoted-printable is decoded by the reader
			return string(b)
		}
	}
}
