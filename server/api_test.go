package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

func TestAPIAuth(t *testing.T) {
	ts := newTestServer(t, true)

	var e struct{ Error, Field string }
	ts.call(t, "", "GET", "/api/v1/monitors", nil, http.StatusUnauthorized, &e)
	if e.Error == "" {
		t.Error("401 without an error sentence")
	}
	ts.call(t, "not-a-token", "GET", "/api/v1/monitors", nil, http.StatusUnauthorized, nil)
	ts.call(t, "", "POST", "/api/v1/auth/token", `{"username":"admin"}`, http.StatusBadRequest, &e)
	if e.Field != "password" {
		t.Errorf("missing password: field %q, want password", e.Field)
	}
	ts.call(t, "", "POST", "/api/v1/auth/token", `{"username":"admin","password":"x","extra":1}`, http.StatusBadRequest, &e)
	if e.Field != "extra" {
		t.Errorf("unknown field: field %q, want extra", e.Field)
	}

	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	ts.call(t, "", "POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": testPassword}, http.StatusCreated, &tok)
	if tok.Token == "" || time.Until(tok.ExpiresAt) < 23*time.Hour {
		t.Fatalf("token answer %+v: want a token valid for about 24h", tok)
	}
	ts.call(t, tok.Token, "GET", "/api/v1/monitors", nil, http.StatusOK, nil)

	t.Run("failures are rate limited per user", func(t *testing.T) {
		for i := range 5 {
			ts.call(t, "", "POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": fmt.Sprint("wrong", i)}, http.StatusUnauthorized, nil)
		}
		ts.call(t, "", "POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": testPassword}, http.StatusTooManyRequests, nil)
	})
}

func TestAPIRoles(t *testing.T) {
	ts := newTestServer(t, true)
	viewer := ts.addUser(t, "vera", "viewer")
	ts.call(t, viewer, "GET", "/api/v1/monitors", nil, http.StatusOK, nil)
	ts.call(t, viewer, "POST", "/api/v1/monitors", `{"name":"x","type":"tcp","target":"127.0.0.1:1"}`, http.StatusForbidden, nil)
	ts.call(t, viewer, "GET", "/api/v1/audit", nil, http.StatusForbidden, nil)
	editor := ts.addUser(t, "eddie", "editor")
	ts.call(t, editor, "POST", "/api/v1/monitors", `{"name":"x","type":"tcp","target":"127.0.0.1:1"}`, http.StatusCreated, nil)
	ts.call(t, editor, "GET", "/api/v1/system", nil, http.StatusForbidden, nil)
}

func TestAPIMonitorValidation(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var parent struct{ ID string }
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"parent","type":"tcp","target":"127.0.0.1:1"}`, http.StatusCreated, &parent)

	cases := []struct {
		name, body, field string
		status            int
	}{
		{"missing name", `{"type":"http","target":"http://x"}`, "name", 400},
		{"unknown type", `{"name":"a","type":"gopher","target":"x"}`, "type", 400},
		{"type the server makes", `{"name":"a","type":"fim","target":"x"}`, "type", 400},
		{"bad target", `{"name":"a","type":"http","target":"ftp://x"}`, "target", 400},
		{"bad interval", `{"name":"a","type":"tcp","target":"h:1","interval":"5"}`, "interval", 400},
		{"interval too short", `{"name":"a","type":"tcp","target":"h:1","interval":"500ms"}`, "interval", 400},
		{"timeout over interval", `{"name":"a","type":"tcp","target":"h:1","interval":"10s","timeout":"20s"}`, "timeout", 400},
		{"unknown field", `{"name":"a","type":"tcp","target":"h:1","colour":"red"}`, "colour", 400},
		{"unknown setting", `{"name":"a","type":"http","target":"http://x","settings":{"nope":1}}`, "settings.nope", 400},
		{"bad setting", `{"name":"a","type":"http","target":"http://x","settings":{"expect_status":"abc"}}`, "settings.expect_status", 400},
		{"wrongly typed field", `{"name":"a","type":"tcp","target":"h:1","confirm":"two"}`, "confirm", 400},
		{"unknown location", `{"name":"a","type":"tcp","target":"h:1","locations":["mars"]}`, "locations", 400},
		{"unknown dependency", `{"name":"a","type":"tcp","target":"h:1","depends_on":["999"]}`, "depends_on", 400},
		{"confirm too high", `{"name":"a","type":"tcp","target":"h:1","confirm":101}`, "confirm", 400},
		{"not json", `{"name":`, "", 400},
		{"two objects", `{"name":"a","type":"tcp","target":"h:1"}{}`, "", 400},
		{"too large", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, "", 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			ts.call(t, tok, "POST", "/api/v1/monitors", c.body, c.status, &e)
			if e.Field != c.field || e.Error == "" {
				t.Errorf("error %+v, want field %q and a sentence", e, c.field)
			}
		})
	}
	var list []json.RawMessage
	ts.call(t, tok, "GET", "/api/v1/monitors", nil, http.StatusOK, &list)
	if len(list) != 1 {
		t.Errorf("%d monitors after only invalid creates, want 1 (invalid input must change nothing)", len(list))
	}

	t.Run("dependency loop", func(t *testing.T) {
		var child struct{ ID string }
		ts.call(t, tok, "POST", "/api/v1/monitors", fmt.Sprintf(`{"name":"child","type":"tcp","target":"h:1","depends_on":[%q]}`, parent.ID), http.StatusCreated, &child)
		var e struct{ Field string }
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+parent.ID, fmt.Sprintf(`{"depends_on":[%q]}`, child.ID), http.StatusBadRequest, &e)
		if e.Field != "depends_on" {
			t.Errorf("loop: field %q, want depends_on", e.Field)
		}
		ts.call(t, tok, "DELETE", "/api/v1/monitors/"+parent.ID, nil, http.StatusConflict, nil)
	})
}

func TestAPIMonitorLifecycle(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") }))
	defer target.Close()
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")

	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", map[string]any{
		"name": "web", "type": "http", "target": target.URL, "interval": "1s", "confirm": 2,
		"settings": map[string]any{"expect_contains": "hello"},
	}, http.StatusCreated, &m)
	if m.ID == "" || m.Interval != "1s" || m.Timeout != "1s" || m.Status != "unknown" || len(m.Locations) != 1 {
		t.Fatalf("created %+v", m)
	}
	waitFor(t, 10*time.Second, "monitor ok", func() bool {
		ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID, nil, http.StatusOK, &m)
		return m.Status == "ok" && m.LastResult != nil
	})

	var results []struct {
		At       time.Time `json:"at"`
		Location string    `json:"location"`
		Status   string    `json:"status"`
		Values   map[string]float64
	}
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID+"/results?limit=5", nil, http.StatusOK, &results)
	if len(results) == 0 || results[0].Location != "server" || results[0].Values["status_code"] != 200 {
		t.Fatalf("results %+v", results)
	}
	for i := 1; i < len(results); i++ {
		if !results[i].At.After(results[i-1].At) {
			t.Fatalf("results not oldest first: %v then %v", results[i-1].At, results[i].At)
		}
	}
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID+"/results?since=yesterday", nil, http.StatusBadRequest, nil)
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID+"/results?limit=0", nil, http.StatusBadRequest, nil)

	// PUT changes what it names and keeps the rest.
	ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"paused":true}`, http.StatusOK, &m)
	if !m.Paused || m.Status != "paused" || m.Name != "web" || m.Interval != "1s" {
		t.Fatalf("after pausing: %+v", m)
	}
	var audit []struct{ Action, Target string }
	ts.call(t, tok, "GET", "/api/v1/audit?limit=10", nil, http.StatusOK, &audit)
	if len(audit) < 2 || audit[0].Action != "monitor.update" {
		t.Errorf("audit log %+v: want the update first", audit)
	}
	ts.call(t, tok, "DELETE", "/api/v1/monitors/"+m.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID, nil, http.StatusNotFound, nil)
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID+"/results", nil, http.StatusNotFound, nil)
}

func TestAPIIncidentOpensAndIsAcknowledged(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var m monitorOutput
	// Nothing listens on port 1 of loopback: every check fails at once.
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"down","type":"tcp","target":"127.0.0.1:1","interval":"1s","confirm":2}`, http.StatusCreated, &m)
	var open []struct {
		ID             string `json:"id"`
		MonitorID      string `json:"monitor_id"`
		Status         string `json:"status"`
		Message        string `json:"message"`
		AcknowledgedBy string `json:"acknowledged_by"`
	}
	waitFor(t, 10*time.Second, "an open incident", func() bool {
		ts.call(t, tok, "GET", "/api/v1/incidents?open=true", nil, http.StatusOK, &open)
		return len(open) == 1
	})
	if open[0].Status != "open" || open[0].Message == "" {
		t.Fatalf("incident %+v", open[0])
	}
	ts.call(t, tok, "POST", "/api/v1/incidents/"+open[0].ID+"/ack", `{"note":"on it"}`, http.StatusOK, nil)
	ts.call(t, tok, "POST", "/api/v1/incidents/"+open[0].ID+"/ack", `{"note":"again"}`, http.StatusConflict, nil)
	ts.call(t, tok, "GET", "/api/v1/incidents?open=true", nil, http.StatusOK, &open)
	if open[0].AcknowledgedBy != "admin" {
		t.Errorf("acknowledged_by %q, want admin", open[0].AcknowledgedBy)
	}
	ts.call(t, tok, "GET", "/api/v1/incidents?open=maybe", nil, http.StatusBadRequest, nil)
	ts.call(t, tok, "POST", "/api/v1/incidents/999/ack", `{}`, http.StatusNotFound, nil)
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDependencyCheckIsLinear builds a graph where every monitor depends
// on all earlier ones: a walk without a visited set takes 2^n steps.
func TestDependencyCheckIsLinear(t *testing.T) {
	ms := map[string]store.Monitor{}
	for i := range 200 {
		m := store.Monitor{ID: fmt.Sprint(i)}
		for j := range min(i, maxDependencies) {
			m.DependsOn = append(m.DependsOn, fmt.Sprint(i-1-j))
		}
		ms[m.ID] = m
	}
	lookup := func(id string) (store.Monitor, bool) { m, ok := ms[id]; return m, ok }
	done := make(chan bool)
	go func() { done <- dependsOn("199", "nonexistent", lookup) }()
	select {
	case got := <-done:
		if got {
			t.Error("found a dependency that does not exist")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dependency walk did not finish: it is not linear")
	}
	if !dependsOn("199", "0", lookup) {
		t.Error("missed a transitive dependency")
	}
}

func TestAPIDetails(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")

	t.Run("the scheme is case-insensitive", func(t *testing.T) {
		req, _ := http.NewRequest("GET", ts.url("/api/v1/monitors"), nil)
		req.Header.Set("Authorization", "bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("lowercase bearer: %d", resp.StatusCode)
		}
	})
	t.Run("type errors are said in words", func(t *testing.T) {
		var e struct{ Error, Field string }
		ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"a","type":"tcp","target":"h:1","confirm":1.5}`, http.StatusBadRequest, &e)
		if e.Field != "confirm" || !strings.Contains(e.Error, "whole number") {
			t.Errorf("confirm 1.5: %+v", e)
		}
		ts.call(t, tok, "POST", "/api/v1/monitors", `[1,2]`, http.StatusBadRequest, &e)
		if !strings.HasPrefix(e.Error, "the body must be a JSON object") {
			t.Errorf("array body: %+v", e)
		}
	})
	t.Run("confirm 0 is refused, not taken for the default", func(t *testing.T) {
		var e struct{ Field string }
		ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"a","type":"tcp","target":"h:1","confirm":0}`, http.StatusBadRequest, &e)
		if e.Field != "confirm" {
			t.Errorf("field %q", e.Field)
		}
	})
	t.Run("a default timeout follows a shorter interval", func(t *testing.T) {
		var m monitorOutput
		ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"a","type":"tcp","target":"h:1","interval":"10s","paused":true}`, http.StatusCreated, &m)
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"interval":"5s"}`, http.StatusOK, &m)
		if m.Interval != "5s" || m.Timeout != "5s" {
			t.Errorf("after shortening the interval: interval %s timeout %s, want 5s and 5s", m.Interval, m.Timeout)
		}
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"interval":"2s","timeout":"3s"}`, http.StatusBadRequest, nil)
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"interval":"1m"}`, http.StatusOK, &m)
		if m.Interval != "1m" {
			t.Errorf("interval shown as %q, want 1m", m.Interval)
		}
	})
	t.Run("429 says when to retry", func(t *testing.T) {
		for range 5 {
			ts.call(t, "", "POST", "/api/v1/auth/token", `{"username":"ghost","password":"wrong wrong"}`, http.StatusUnauthorized, nil)
		}
		resp, err := http.Post(ts.url("/api/v1/auth/token"), "application/json", strings.NewReader(`{"username":"ghost","password":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("an ended incident cannot be acknowledged", func(t *testing.T) {
		now := time.Now()
		inc := store.Incident{MonitorID: "1", StartedAt: now, EndedAt: &now, Status: store.IncidentResolved}
		if err := ts.db.CreateIncident(&inc); err != nil {
			t.Fatal(err)
		}
		ts.call(t, tok, "POST", "/api/v1/incidents/"+inc.ID+"/ack", `{}`, http.StatusConflict, nil)
		var list []struct{ ID string }
		ts.call(t, tok, "GET", "/api/v1/incidents?open=false", nil, http.StatusOK, &list)
		if len(list) != 1 || list[0].ID != inc.ID {
			t.Errorf("open=false: %+v, want the ended incident only", list)
		}
	})
}

// A refused update leaves the monitor as it was: the input starts from
// copies, so decoding the request cannot write into the cached monitor's
// slices and settings.
func TestAPIRefusedUpdateChangesNothing(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors",
		`{"name":"web","type":"http","target":"http://127.0.0.1:1/","interval":"1m","tags":["prod","web"],"settings":{"expect_status":"200-299"},"paused":true}`,
		http.StatusCreated, &m)
	ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID,
		`{"tags":["staging","x"],"settings":{"expect_status":"999x"},"interval":"nonsense"}`, http.StatusBadRequest, nil)
	var got monitorOutput
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID, nil, http.StatusOK, &got)
	if !slices.Equal(got.Tags, []string{"prod", "web"}) {
		t.Errorf("tags after a refused update: %q", got.Tags)
	}
	if string(got.Settings) != string(m.Settings) || got.Interval != "1m" {
		t.Errorf("after a refused update: settings %s interval %s, want %s 1m", got.Settings, got.Interval, m.Settings)
	}
}

// A logfile monitor is created with confirm 1: its matches are events a
// single run sees.
func TestAPILogfileConfirmDefault(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ts.addAgent(t, "web-01")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors",
		`{"name":"oom","type":"logfile","target":"/var/log/kern.log","settings":{"stock_pattern":"oom_kills"},"locations":["web-01"]}`,
		http.StatusCreated, &m)
	if m.Confirm != 1 {
		t.Errorf("logfile confirm = %d, want 1", m.Confirm)
	}
	ts.call(t, tok, "POST", "/api/v1/monitors",
		`{"name":"oom 3","type":"logfile","target":"/var/log/kern.log","settings":{"stock_pattern":"oom_kills"},"locations":["web-01"],"confirm":3}`,
		http.StatusCreated, &m)
	if m.Confirm != 3 {
		t.Errorf("logfile confirm given 3 = %d", m.Confirm)
	}
}
