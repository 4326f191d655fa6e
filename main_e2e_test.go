package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// These tests build the real binary and drive it from outside, through the
// command line and the JSON API only, as CONTRACT.md describes it.

const (
	adminUser     = "admin"
	adminPassword = "correct-horse-battery-staple-42"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func startAdminServer(t *testing.T, dataDir string) (*testenv.Server, *testenv.Client) {
	t.Helper()
	s := testenv.StartServer(t, testenv.Options{DataDir: dataDir, AdminUser: adminUser, AdminPassword: adminPassword})
	return s, s.Login(adminUser, adminPassword)
}

func TestE2EVersion(t *testing.T) {
	out, err := exec.Command(testenv.BuildVigil(t), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("vigil version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "vigil ") || strings.Count(string(out), "\n") != 1 {
		t.Errorf("vigil version printed %q, want one line \"vigil <version>\"", out)
	}
}

func TestE2EUnauthenticated(t *testing.T) {
	s, _ := startAdminServer(t, "")
	var health map[string]string
	testenv.NewClient(s.URL, "").Do(t, http.MethodGet, "/healthz", nil, http.StatusOK, &health)
	if health["status"] != "ok" {
		t.Errorf("/healthz = %v, want status ok", health)
	}
	tests := []struct {
		name, token, method, path string
		body                      any
	}{
		{"list monitors without token", "", http.MethodGet, "/api/v1/monitors", nil},
		{"create monitor without token", "", http.MethodPost, "/api/v1/monitors", testenv.Monitor{Name: "x", Type: "http", Target: "http://127.0.0.1:1/"}},
		{"incidents without token", "", http.MethodGet, "/api/v1/incidents?open=true", nil},
		{"system without token", "", http.MethodGet, "/api/v1/system", nil},
		{"wrong token", "not-a-token", http.MethodGet, "/api/v1/monitors", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e testenv.APIError
			testenv.NewClient(s.URL, tt.token).Do(t, tt.method, tt.path, tt.body, http.StatusUnauthorized, &e)
			if e.Error == "" {
				t.Errorf("401 body has no error sentence")
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		testenv.NewClient(s.URL, "").Do(t, http.MethodPost, "/api/v1/auth/token",
			map[string]string{"username": adminUser, "password": "wrong-password-123456"}, http.StatusUnauthorized, nil)
	})
}

// createMonitor posts m and returns the created monitor.
func createMonitor(t *testing.T, c *testenv.Client, m testenv.Monitor) testenv.Monitor {
	t.Helper()
	var got testenv.Monitor
	c.Do(t, http.MethodPost, "/api/v1/monitors", m, http.StatusCreated, &got)
	if got.ID == "" {
		t.Fatalf("created monitor has no id: %+v", got)
	}
	return got
}

func getMonitor(t *testing.T, c *testenv.Client, id string) testenv.Monitor {
	t.Helper()
	var m testenv.Monitor
	c.Do(t, http.MethodGet, "/api/v1/monitors/"+id, nil, http.StatusOK, &m)
	return m
}

func waitStatus(t *testing.T, c *testenv.Client, id, want string, timeout time.Duration) {
	t.Helper()
	testenv.WaitUntil(t, timeout, "monitor "+id+" status "+want, func(context.Context) (bool, string) {
		m := getMonitor(t, c, id)
		return m.Status == want, "status " + m.Status
	})
}

func results(t *testing.T, c *testenv.Client, id string, since time.Time, limit int) []testenv.Result {
	t.Helper()
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}, "limit": {strconv.Itoa(limit)}}
	var rs []testenv.Result
	c.Do(t, http.MethodGet, "/api/v1/monitors/"+id+"/results?"+q.Encode(), nil, http.StatusOK, &rs)
	return rs
}

func dur(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("duration %q from the API: %v", s, err)
	}
	return d
}

func TestE2EMonitorAPI(t *testing.T) {
	_, c := startAdminServer(t, "")
	target := testenv.StartTarget(t)
	created := time.Now().Add(-time.Second)
	m := createMonitor(t, c, testenv.Monitor{Name: "Homepage", Type: "http", Target: target.URL, Interval: "1s"})

	t.Run("defaults", func(t *testing.T) {
		d := createMonitor(t, c, testenv.Monitor{Name: "Defaults", Type: "http", Target: target.URL})
		defer c.Do(t, http.MethodDelete, "/api/v1/monitors/"+d.ID, nil, http.StatusNoContent, nil)
		if dur(t, d.Interval) != time.Minute || dur(t, d.Timeout) != 10*time.Second ||
			!slices.Equal(d.Locations, []string{"server"}) || d.Confirm != 2 {
			t.Errorf("monitor created without options = interval %q timeout %q locations %v confirm %d; want 60s, 10s, [server], 2",
				d.Interval, d.Timeout, d.Locations, d.Confirm)
		}
		// A timeout longer than the interval makes no sense; the server
		// may shorten it, never lengthen it.
		if dur(t, m.Interval) != time.Second || dur(t, m.Timeout) > 10*time.Second {
			t.Errorf("monitor with interval 1s = interval %q timeout %q", m.Interval, m.Timeout)
		}
	})
	t.Run("turns ok with results", func(t *testing.T) {
		waitStatus(t, c, m.ID, "ok", 15*time.Second)
		rs := results(t, c, m.ID, created, 100)
		if len(rs) == 0 {
			t.Fatalf("monitor is ok but results?since= returned none")
		}
		for i, r := range rs {
			if r.Status != "ok" || r.Location != "server" || r.At.Before(created) {
				t.Errorf("result %d = %+v, want status ok at location server after %s", i, r, created)
			}
			if i > 0 && r.At.Before(rs[i-1].At) {
				t.Errorf("results not oldest first: %s before %s", r.At, rs[i-1].At)
			}
		}
		if got := results(t, c, m.ID, created, 1); len(got) != 1 {
			t.Errorf("limit=1 returned %d results", len(got))
		}
		if got := results(t, c, m.ID, time.Now().Add(time.Hour), 100); got == nil || len(got) != 0 {
			t.Errorf("results since the future = %v, want an empty array", got)
		}
	})
	t.Run("bad input", func(t *testing.T) { testBadInput(t, c, target.URL) })
	t.Run("update", func(t *testing.T) {
		upd := m
		upd.Name, upd.Interval, upd.Status, upd.LastResult = "Homepage 2", "2s", "", nil
		var got testenv.Monitor
		c.Do(t, http.MethodPut, "/api/v1/monitors/"+m.ID, upd, http.StatusOK, &got)
		if got.Name != "Homepage 2" || got.Interval != "2s" || got.ID != m.ID {
			t.Errorf("PUT answered %+v", got)
		}
		upd.Interval = "soon"
		var e testenv.APIError
		c.Do(t, http.MethodPut, "/api/v1/monitors/"+m.ID, upd, http.StatusBadRequest, &e)
		if e.Field != "interval" {
			t.Errorf("PUT with a bad interval: field %q, want interval", e.Field)
		}
		if again := getMonitor(t, c, m.ID); again.Name != "Homepage 2" || again.Interval != "2s" {
			t.Errorf("after a refused PUT the monitor is %+v", again)
		}
	})
	t.Run("delete", func(t *testing.T) {
		status, body, err := c.Request(context.Background(), http.MethodDelete, "/api/v1/monitors/"+m.ID, nil)
		if err != nil || (status != http.StatusOK && status != http.StatusNoContent) {
			t.Fatalf("DELETE: %d %v %s", status, err, body)
		}
		var e testenv.APIError
		c.Do(t, http.MethodGet, "/api/v1/monitors/"+m.ID, nil, http.StatusNotFound, &e)
		if e.Error == "" {
			t.Errorf("404 without an error sentence")
		}
		var list []testenv.Monitor
		c.Do(t, http.MethodGet, "/api/v1/monitors", nil, http.StatusOK, &list)
		if len(list) != 0 {
			t.Errorf("after DELETE the list holds %d monitors", len(list))
		}
	})
}

func testBadInput(t *testing.T, c *testenv.Client, target string) {
	var before []testenv.Monitor
	c.Do(t, http.MethodGet, "/api/v1/monitors", nil, http.StatusOK, &before)
	ok := `"name":"x","type":"http","target":"` + target + `"`
	huge := `{` + ok + `,"settings":{"body":"` + strings.Repeat("a", 1<<20+1) + `"}}`
	tests := []struct {
		name   string
		body   string
		status []int
		field  string // "" when no single field is at fault
	}{
		{"unknown type", `{"name":"x","type":"gopher","target":"` + target + `"}`, []int{400}, "type"},
		{"unknown setting", `{` + ok + `,"settings":{"no_such_setting":1}}`, []int{400}, "settings.no_such_setting"},
		{"bad interval", `{` + ok + `,"interval":"soon"}`, []int{400}, "interval"},
		{"interval below one second", `{` + ok + `,"interval":"100ms"}`, []int{400}, "interval"},
		{"unknown JSON field", `{` + ok + `,"intervall":"30s"}`, []int{400}, "intervall"},
		{"missing target", `{"name":"x","type":"http"}`, []int{400}, "target"},
		{"not JSON", `name=x`, []int{400}, ""},
		{"body over 1 MiB", huge, []int{413, 400}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e testenv.APIError
			status, body, err := c.Request(context.Background(), http.MethodPost, "/api/v1/monitors", tt.body)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			if !slices.Contains(tt.status, status) {
				t.Fatalf("status %d, want one of %v; body %.300s", status, tt.status, body)
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("error body %.300s is not {\"error\":…} (%v)", body, err)
			}
			if tt.field != "" && e.Field != tt.field {
				t.Errorf("field %q, want %q (error %q)", e.Field, tt.field, e.Error)
			}
		})
	}
	var after []testenv.Monitor
	c.Do(t, http.MethodGet, "/api/v1/monitors", nil, http.StatusOK, &after)
	if len(after) != len(before) {
		t.Errorf("invalid input changed the monitor list: %d monitors before, %d after", len(before), len(after))
	}
}

func openIncidents(t *testing.T, c *testenv.Client, monitorID string) []testenv.Incident {
	t.Helper()
	var all, mine []testenv.Incident
	c.Do(t, http.MethodGet, "/api/v1/incidents?open=true", nil, http.StatusOK, &all)
	for _, in := range all {
		if in.MonitorID == monitorID {
			mine = append(mine, in)
		}
	}
	return mine
}

func TestE2EIncidentLifecycle(t *testing.T) {
	_, c := startAdminServer(t, "")
	target := testenv.StartTarget(t)
	m := createMonitor(t, c, testenv.Monitor{Name: "Flaky", Type: "http", Target: target.URL, Interval: "1s", Timeout: "1s", Confirm: 2})
	waitStatus(t, c, m.ID, "ok", 15*time.Second)
	if got := openIncidents(t, c, m.ID); len(got) != 0 {
		t.Fatalf("healthy monitor has open incidents: %+v", got)
	}

	target.Stop()
	var inc testenv.Incident
	testenv.WaitUntil(t, 20*time.Second, "an open incident after the target stopped", func(context.Context) (bool, string) {
		open := openIncidents(t, c, m.ID)
		if len(open) == 0 {
			return false, "no open incident; monitor status " + getMonitor(t, c, m.ID).Status
		}
		inc = open[0]
		return true, ""
	})
	if len(openIncidents(t, c, m.ID)) != 1 || !inc.StartedAt.Set() || inc.EndedAt.Set() || inc.ID == "" {
		t.Errorf("open incident = %+v, want exactly one with an id, started_at and no ended_at", inc)
	}
	if st := getMonitor(t, c, m.ID).Status; st != "problem" {
		t.Errorf("monitor status with an open incident = %q, want problem", st)
	}

	status, body, err := c.Request(context.Background(), http.MethodPost, "/api/v1/incidents/"+inc.ID+"/ack", map[string]string{"note": "looking"})
	if err != nil || status/100 != 2 {
		t.Fatalf("ack: %d %v %s", status, err, body)
	}
	if open := openIncidents(t, c, m.ID); len(open) != 1 || open[0].AcknowledgedBy != adminUser || !open[0].AcknowledgedAt.Set() {
		t.Errorf("after ack the open incidents are %+v, want acknowledged_by %q and acknowledged_at", open, adminUser)
	}

	target.Restart()
	testenv.WaitUntil(t, 20*time.Second, "the incident to end after the target came back", func(context.Context) (bool, string) {
		open := openIncidents(t, c, m.ID)
		return len(open) == 0, "open incidents: " + strconv.Itoa(len(open))
	})
	waitStatus(t, c, m.ID, "ok", 10*time.Second)
	var all []testenv.Incident
	c.Do(t, http.MethodGet, "/api/v1/incidents", nil, http.StatusOK, &all)
	i := slices.IndexFunc(all, func(x testenv.Incident) bool { return x.ID == inc.ID })
	if i < 0 || !all[i].EndedAt.Set() || all[i].EndedAt.Before(all[i].StartedAt.Time) {
		t.Errorf("the incident in the full list = %+v, want it with ended_at after started_at", all)
	}
}

func TestE2EProcessLifecycle(t *testing.T) {
	s, _ := startAdminServer(t, "")

	t.Run("second server on the same data dir", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, testenv.BuildVigil(t), "server", "--data", s.DataDir,
			"--listen", "127.0.0.1:"+strconv.Itoa(testenv.FreePort(t)),
			"--agent-listen", "127.0.0.1:"+strconv.Itoa(testenv.FreePort(t)))
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		if ctx.Err() != nil {
			t.Fatalf("second server still running after 15 s; output:\n%s", out)
		}
		if err == nil || cmd.ProcessState.ExitCode() == 0 {
			t.Errorf("second server exited 0; want non-zero")
		}
		if !strings.Contains(strings.ToLower(string(out)), "locked") {
			t.Errorf("second server's message does not say \"locked\":\n%s", out)
		}
		// "At once": the store waits a second for the lock before giving up.
		if took > 5*time.Second {
			t.Errorf("second server took %s to give up", took)
		}
	})
	t.Run("SIGTERM", func(t *testing.T) {
		code, took := s.Stop()
		if code != 0 || took > 10*time.Second {
			t.Errorf("after SIGTERM: exit %d after %s; want 0 within 10 s", code, took)
		}
	})
}

func TestE2ESetupCode(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format+" log", func(t *testing.T) {
			s := testenv.StartServer(t, testenv.Options{LogFormat: format})
			code := s.SetupCode()
			if u := s.SetupURL(); !strings.HasSuffix(u, "/setup") {
				t.Errorf("setup_url = %q, want a link ending in /setup", u)
			}
			w := s.NewWebClient()
			resp, page := w.Get(t, "/setup")
			if resp.StatusCode != http.StatusOK || !testenv.HasTestID(page, "setup-form") {
				t.Fatalf("GET /setup: %d, setup-form present %v", resp.StatusCode, testenv.HasTestID(page, "setup-form"))
			}
			csrf := testenv.InputValues(page)["csrf"]
			if csrf == "" || w.Cookie("vigil_csrf") == "" {
				t.Fatalf("GET /setup gave csrf field %q and vigil_csrf cookie %q", csrf, w.Cookie("vigil_csrf"))
			}
			form := url.Values{"csrf": {csrf}, "username": {"alice"},
				"password": {adminPassword}, "password_confirm": {adminPassword}}
			for _, bad := range []struct{ name, code string }{{"no code", ""}, {"wrong code", "AAAA-BBBB-CCCC"}} {
				form.Set("code", bad.code)
				if resp, _ := w.PostForm(t, "/setup", form); resp.StatusCode == http.StatusSeeOther || w.Cookie("vigil_session") != "" {
					t.Fatalf("POST /setup with %s: %d, session %q; want refused", bad.name, resp.StatusCode, w.Cookie("vigil_session"))
				}
			}
			form.Set("code", code)
			resp, body := w.PostForm(t, "/setup", form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || w.Cookie("vigil_session") == "" {
				t.Fatalf("POST /setup with the code: %d Location %q session %q; body %.300s",
					resp.StatusCode, resp.Header.Get("Location"), w.Cookie("vigil_session"), body)
			}
			if resp, page := w.Get(t, "/"); resp.StatusCode != http.StatusOK || !testenv.HasTestID(page, "dashboard") {
				t.Errorf("GET / after setup: %d, dashboard present %v", resp.StatusCode, testenv.HasTestID(page, "dashboard"))
			}
			s.Login("alice", adminPassword) // the new administrator can use the API

			// The code is single-use: a second claim is refused.
			other := s.NewWebClient()
			_, page = other.Get(t, "/setup")
			form.Set("csrf", testenv.InputValues(page)["csrf"])
			form.Set("username", "mallory")
			resp, _ = other.PostForm(t, "/setup", form)
			if other.Cookie("vigil_session") != "" {
				t.Errorf("a second POST /setup with the used code signed someone in (status %d, Location %q)",
					resp.StatusCode, resp.Header.Get("Location"))
			}
			status, tokBody, err := testenv.NewClient(s.URL, "").Request(context.Background(), http.MethodPost,
				"/api/v1/auth/token", map[string]string{"username": "mallory", "password": adminPassword})
			if err != nil || status != http.StatusUnauthorized {
				t.Errorf("token for the user of a second setup: %d %v %s; want 401", status, err, tokBody)
			}
		})
	}
}

// TestE2EKillDuringIngest kills the server with SIGKILL while results flow
// in and checks that every result the API returned before the kill is there
// after a restart on the same data directory.
func TestE2EKillDuringIngest(t *testing.T) {
	const n = 40
	s, c := startAdminServer(t, "")
	target := testenv.StartTarget(t)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = createMonitor(t, c, testenv.Monitor{Name: "m" + strconv.Itoa(i), Type: "http", Target: target.URL, Interval: "1s"}).ID
	}
	since := time.Now().Add(-time.Minute)
	seen := map[string][]testenv.Result{}
	testenv.WaitUntil(t, 30*time.Second, "three results for every monitor", func(context.Context) (bool, string) {
		for _, id := range ids {
			if rs := results(t, c, id, since, 10000); len(rs) < 3 {
				return false, "monitor " + id + " has " + strconv.Itoa(len(rs)) + " results"
			}
		}
		return true, ""
	})
	// Read everything once more, then kill at once: the last reads are the
	// freshest results, the ones most likely still in flight.
	total := 0
	for _, id := range ids {
		seen[id] = results(t, c, id, since, 10000)
		total += len(seen[id])
	}
	s.Kill()
	t.Logf("killed the server after reading %d results of %d monitors", total, n)

	_, c2 := startAdminServer(t, s.DataDir)
	var list []testenv.Monitor
	c2.Do(t, http.MethodGet, "/api/v1/monitors", nil, http.StatusOK, &list)
	if len(list) != n {
		t.Errorf("after restart %d monitors, want %d", len(list), n)
	}
	lost := 0
	for _, id := range ids {
		have := map[string]bool{}
		for _, r := range results(t, c2, id, since, 10000) {
			have[r.Key()] = true
		}
		for _, r := range seen[id] {
			if !have[r.Key()] {
				lost++
				if lost <= 5 {
					t.Errorf("monitor %s: result %s was returned before the kill and is gone after it", id, r.Key())
				}
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d results returned before the kill are lost", lost, total)
	}
}
