package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

var setupCodeInLog = regexp.MustCompile(`setup_code=([A-Z0-9-]+)`)

func TestWebSetupNeedsTheCodeFromTheLog(t *testing.T) {
	ts := newTestServer(t, false)
	b := newBrowser(t, ts)

	resp, _ := b.get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("GET / without a session: %d to %q, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.get("/login")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
		t.Fatalf("GET /login on a fresh server: %d to %q, want /setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.get("/setup")
	csrf := b.csrf(page)
	m := setupCodeInLog.FindStringSubmatch(ts.log.String())
	if m == nil {
		t.Fatalf("no setup code in the log:\n%s", ts.log.String())
	}
	form := url.Values{"username": {"root"}, "password": {testPassword}, "password_confirm": {testPassword}, "csrf": {csrf}}

	form.Set("code", "AAAA-BBBB-CCCC")
	if resp, body := b.post("/setup", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not the setup code") {
		t.Fatalf("wrong code: status %d", resp.StatusCode)
	}
	form.Set("code", m[1])
	form.Set("csrf", "forged")
	if resp, _ := b.post("/setup", form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged csrf: status %d, want 403", resp.StatusCode)
	}
	form.Set("csrf", csrf)
	form.Set("password_confirm", "something else entirely")
	if resp, body := b.post("/setup", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "differ") {
		t.Fatalf("mismatched passwords: status %d", resp.StatusCode)
	}
	form.Set("password_confirm", testPassword)
	if resp, body := b.post("/setup", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good setup: status %d: %s", resp.StatusCode, body)
	}
	if resp, body := b.get("/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="dashboard"`) {
		t.Fatalf("dashboard after setup: %d", resp.StatusCode)
	}
	// The code is spent: setup is closed for everyone.
	other := newBrowser(t, ts)
	if resp, _ := other.get("/setup"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /setup after setup: %d, want a redirect", resp.StatusCode)
	}
}

func TestWebLoginAndForms(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)

	_, page := b.get("/login")
	resp, body := b.post("/login", url.Values{"username": {"admin"}, "password": {"wrong password"}, "csrf": {b.csrf(page)}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "wrong") {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
	csrf := b.login()

	t.Run("a form without the session's token is refused", func(t *testing.T) {
		resp, _ := b.post("/monitors", url.Values{"name": {"x"}, "type": {"tcp"}, "target": {"127.0.0.1:1"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("an invalid setting is shown beside its field", func(t *testing.T) {
		resp, body := b.post("/monitors", url.Values{"csrf": {csrf}, "name": {"web"}, "type": {"http"}, "target": {"http://127.0.0.1:1/"},
			"settings.expect_status": {"abc"}, "settings.follow_redirects": {"false", "true"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
		if !strings.Contains(body, `data-testid="field-error"`) || !strings.Contains(body, `value="abc"`) {
			t.Errorf("form does not show the error and the value as typed:\n%s", body)
		}
	})
	var id string
	t.Run("a valid form creates the monitor", func(t *testing.T) {
		resp, _ := b.post("/monitors", url.Values{"csrf": {csrf}, "name": {"web"}, "type": {"http"}, "target": {"http://127.0.0.1:1/"},
			"interval": {"30s"}, "settings.expect_status": {"200-299"}, "settings.headers": {"X-Test: yes"}, "settings.follow_redirects": {"false"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/monitors/") {
			t.Fatalf("status %d to %q", resp.StatusCode, loc)
		}
		id = strings.TrimPrefix(loc, "/monitors/")
		m, ok := ts.monitors.get(id)
		if !ok || m.Interval.String() != "30s" || !strings.Contains(string(m.Settings), `"X-Test":"yes"`) || !strings.Contains(string(m.Settings), `"follow_redirects":false`) {
			t.Fatalf("stored %+v settings %s", m, m.Settings)
		}
		resp, body := b.get(loc)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="monitor-status"`) || !strings.Contains(body, "Monitor created") {
			t.Fatalf("monitor page %d", resp.StatusCode)
		}
	})
	t.Run("every range of the monitor page renders", func(t *testing.T) {
		for _, r := range []string{"1h", "24h", "7d", "30d"} {
			if resp, _ := b.get("/monitors/" + id + "?range=" + r); resp.StatusCode != http.StatusOK {
				t.Errorf("range %s: status %d", r, resp.StatusCode)
			}
		}
	})
	t.Run("the edit form is filled from the monitor", func(t *testing.T) {
		_, body := b.get("/monitors/" + id + "/edit")
		if !strings.Contains(body, "X-Test: yes") {
			t.Errorf("edit form lacks the stored header")
		}
	})
	t.Run("live refresh answers the table fragment", func(t *testing.T) {
		req, _ := http.NewRequest("GET", ts.url("/?partial=table"), nil)
		req.Header.Set("HX-Request", "true")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Server-Timing") == "" {
			t.Errorf("partial: %d, Server-Timing %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
		}
	})
	t.Run("pause and delete", func(t *testing.T) {
		if resp, _ := b.post("/monitors/"+id+"/pause", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("pause: %d", resp.StatusCode)
		}
		if m, _ := ts.monitors.get(id); !m.Paused {
			t.Fatal("not paused")
		}
		if resp, _ := b.post("/monitors/"+id+"/delete", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/monitors/" + id); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("deleted monitor page: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		if resp, _ := b.post("/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("dashboard after logout: %d, want a redirect", resp.StatusCode)
		}
	})
}

func TestWebRefusesCrossOriginPosts(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	req, _ := http.NewRequest("POST", ts.url("/monitors"), strings.NewReader(url.Values{"csrf": {csrf}, "name": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d, want 403", resp.StatusCode)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/monitors/1": "/monitors/1", "/?q=a%20b": "/?q=a%20b", "//evil.example": "/",
		"https://evil.example": "/", "/\\evil": "/", "/\t/evil.example": "/", "/\n/evil.example": "/",
		"/%09/evil.example": "/%09/evil.example", "javascript:alert(1)": "/", "evil.example": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDashboardPagesLongLists(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	for i := range dashboardPageSize + 20 {
		ts.call(t, tok, "POST", "/api/v1/monitors", map[string]any{"name": "m" + strconv.Itoa(i), "type": "tcp", "target": "127.0.0.1:1", "interval": "1h", "paused": true}, http.StatusCreated, nil)
	}
	b := newBrowser(t, ts)
	b.login()
	_, page1 := b.get("/")
	_, page2 := b.get("/?page=2")
	if n := strings.Count(page1, `data-testid="monitor-row"`); n != dashboardPageSize {
		t.Errorf("page 1 has %d rows, want %d", n, dashboardPageSize)
	}
	if n := strings.Count(page2, `data-testid="monitor-row"`); n != 20 {
		t.Errorf("page 2 has %d rows, want 20", n)
	}
	if !strings.Contains(page1, `data-testid="pager"`) || !strings.Contains(page1, "Page 1 of 2") {
		t.Error("page 1 has no pager")
	}
	if _, page := b.get("/?page=99"); !strings.Contains(page, "Page 2 of 2") {
		t.Error("a page past the end does not show the last page")
	}
}

func TestWebEditKeepsFieldsTheFormDoesNotShow(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"a","type":"tcp","target":"127.0.0.1:1","interval":"1h","tags":["db","prod"],"paused":true}`, http.StatusCreated, &m)
	b := newBrowser(t, ts)
	csrf := b.login()
	resp, body := b.post("/monitors/"+m.ID, url.Values{"csrf": {csrf}, "name": {"renamed"}, "type": {"tcp"}, "target": {"127.0.0.1:2"}, "interval": {"1h"}, "paused": {"true"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d: %s", resp.StatusCode, body)
	}
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID, nil, http.StatusOK, &m)
	if m.Name != "renamed" || len(m.Tags) != 2 {
		t.Fatalf("after editing in the form: name %q tags %v, want renamed and the two tags kept", m.Name, m.Tags)
	}
}

func TestWebFormShowsEveryError(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	resp, body := b.post("/monitors", url.Values{"csrf": {csrf}, "name": {""}, "type": {"http"}, "target": {"http://x/"},
		"interval": {"5"}, "confirm": {"0"}, "settings.max_redirects": {"-3"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := strings.Count(body, `data-testid="field-error"`); n < 4 {
		t.Errorf("%d field errors shown, want one each for name, interval, confirm and max_redirects", n)
	}
	if strings.Contains(body, "settings.max_redirects:") {
		t.Error("the error beside the field repeats the field's name")
	}
}

func TestWebLiveRefreshAfterTheSessionEnds(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	req, _ := http.NewRequest("GET", ts.url("/?partial=table"), nil)
	req.Header.Set("HX-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("HX-Redirect") == "" || resp.StatusCode != http.StatusNoContent {
		t.Errorf("status %d, HX-Redirect %q: want the page sent to sign-in", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

func TestWebFormLocatesMonitorsAtAgents(t *testing.T) {
	ts := newTestServer(t, true)
	a := store.Agent{Name: "web-1", Hostname: "web-1"}
	if err := ts.db.CreateAgent(&a, systemActor); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	csrf := b.login()
	resp, body := b.post("/monitors", url.Values{"csrf": {csrf}, "name": {"mem"}, "type": {"memory"}, "interval": {"30s"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "agents") {
		t.Fatalf("a host check on the server: status %d, want 400 saying it runs on agents", resp.StatusCode)
	}
	resp, body = b.post("/monitors", url.Values{"csrf": {csrf}, "name": {"mem"}, "type": {"memory"}, "interval": {"30s"}, "locations": {"web-1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/monitors/")
	if m, _ := ts.monitors.get(id); len(m.Locations) != 1 || m.Locations[0] != a.ID {
		t.Fatalf("stored locations %v, want the agent's id %s", m.Locations, a.ID)
	}
	if _, page := b.get("/monitors/" + id + "/edit"); !strings.Contains(page, `value="web-1"`) {
		t.Error("the edit form does not show the agent by name")
	}
}

// TestWebMonitorPageShowsEachLocation: a monitor checked from the server
// and an agent shows both in its Locations table and chart legend, by the
// agent's name rather than the id its results carry.
func TestWebMonitorPageShowsEachLocation(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "edge-1")
	tok := ts.token(t, "admin")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"api","type":"tcp","target":"127.0.0.1:1","interval":"1h","locations":["server","edge-1"]}`, http.StatusCreated, &m)
	now := time.Now()
	batch := []store.MonitorResult{
		{MonitorID: m.ID, Result: checks.Result{At: now.Add(-2 * time.Second), Location: a.ID, Status: checks.StatusOK, LatencyMS: 41.5, Message: "connected from the edge"}},
		{MonitorID: m.ID, Result: checks.Result{At: now.Add(-time.Second), Location: serverLocation, Status: checks.StatusOK, LatencyMS: 3.2, Message: "connected"}},
	}
	if err := ts.commitAgentResults(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/monitors/" + m.ID + "?range=1h")
	table := page[strings.Index(page, `data-testid="locations"`):]
	table = table[:strings.Index(table, "</section>")]
	for _, want := range []string{"edge-1", "server", "42 ms", "connected from the edge"} {
		if !strings.Contains(table, want) {
			t.Errorf("the Locations table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(page, `data-label="From">`+a.ID+"<") || !strings.Contains(page, `data-label="From">edge-1<`) {
		t.Errorf("recent results do not name the agent edge-1 (id %s)", a.ID)
	}
	if !strings.Contains(page, ">edge-1</text>") {
		t.Error("the chart's legend does not name the agent edge-1")
	}
}

// TestWebFormNamesStockPatterns: the logfile form offers the stock
// patterns by their titles.
func TestWebFormNamesStockPatterns(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/monitors/new?type=logfile")
	for _, p := range checks.StockLogPatterns {
		if !strings.Contains(page, `value="`+p.Name+`">`+p.Title+`</option>`) {
			t.Errorf("the form does not offer %s as %q", p.Name, p.Title)
		}
	}
}
