package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

func TestAPIFIMPolicyValidation(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ts.addAgent(t, "web1")
	cases := []struct {
		name, body, field string
	}{
		{"no name", `{"paths":["/etc"]}`, "name"},
		{"no paths", `{"name":"x"}`, "paths"},
		{"relative path", `{"name":"x","paths":["/etc","etc"]}`, "paths[1]"},
		{"path twice", `{"name":"x","paths":["/etc","/etc/"]}`, "paths[1]"},
		{"drive without a slash", `{"name":"x","paths":["C:Windows"]}`, "paths[0]"},
		{"under /proc", `{"name":"x","paths":["/etc","/proc/1"]}`, "paths[1]"},
		{"/sys itself", `{"name":"x","paths":["/sys/"]}`, "paths[0]"},
		{"under /dev", `{"name":"x","paths":["/dev/../dev/shm"]}`, "paths[0]"},
		{"unknown agent", `{"name":"x","paths":["/etc"],"agents":["web1","web9"]}`, "agents[1]"},
		{"empty label", `{"name":"x","paths":["/etc"],"agents":["label:"]}`, "agents[0]"},
		{"unknown agent by selector field", `{"name":"x","paths":["/etc"],"agent_selectors":["nope"]}`, "agent_selectors[0]"},
		{"agents not a list", `{"name":"x","paths":["/etc"],"agents":"web1"}`, "agents"},
		{"relative exclude", `{"name":"x","paths":["/etc"],"exclude":["*.tmp"]}`, "exclude[0]"},
		{"malformed exclude", `{"name":"x","paths":["/etc"],"exclude":["/etc/["]}`, "exclude[0]"},
		{"interval too short", `{"name":"x","paths":["/etc"],"interval":"30s"}`, "interval"},
		{"interval not a duration", `{"name":"x","paths":["/etc"],"interval":"hourly"}`, "interval"},
		{"unknown attribute", `{"name":"x","paths":["/etc"],"attributes":["sha256","colour"]}`, "attributes[1]"},
		{"bad severity", `{"name":"x","paths":["/etc"],"severity":[{"pattern":"/etc/shadow","severity":"urgent"}]}`, "severity[0].severity"},
		{"bad severity pattern", `{"name":"x","paths":["/etc"],"severity":[{"pattern":"shadow","severity":"high"}]}`, "severity[0].pattern"},
		{"negative rehash", `{"name":"x","paths":["/etc"],"full_rehash_every":-1}`, "full_rehash_every"},
		{"negative io limit", `{"name":"x","paths":["/etc"],"io_limit_mbps":-5}`, "io_limit_mbps"},
		{"unknown field", `{"name":"x","paths":["/etc"],"colour":"red"}`, "colour"},
		{"wrong type", `{"name":"x","paths":"/etc"}`, "paths"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			ts.call(t, tok, "POST", "/api/v1/fim/policies", c.body, http.StatusBadRequest, &e)
			if e.Field != c.field || e.Error == "" {
				t.Errorf("field %q (%s), want %q", e.Field, e.Error, c.field)
			}
		})
	}
	var list []json.RawMessage
	ts.call(t, tok, "GET", "/api/v1/fim/policies", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("refused input left %d policies", len(list))
	}
}

func TestAPIFIMRoles(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	viewer := ts.addUser(t, "vera", roleViewer)
	editor := ts.addUser(t, "ed", roleEditor)
	body := `{"name":"etc","paths":["/etc"]}`
	ts.call(t, "", "GET", "/api/v1/fim/policies", nil, http.StatusUnauthorized, nil)
	ts.call(t, viewer, "POST", "/api/v1/fim/policies", body, http.StatusForbidden, nil)
	var p fimPolicyOutput
	ts.call(t, editor, "POST", "/api/v1/fim/policies", body, http.StatusCreated, &p)
	ts.call(t, viewer, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, nil)
	ts.call(t, viewer, "GET", "/api/v1/fim/stock-policies", nil, http.StatusOK, nil)
	ts.call(t, viewer, "GET", "/api/v1/fim/changes", nil, http.StatusOK, nil)
	for _, req := range []struct{ method, path, body string }{
		{"PUT", "/api/v1/fim/policies/" + p.ID, body},
		{"DELETE", "/api/v1/fim/policies/" + p.ID, ""},
		{"POST", "/api/v1/fim/policies/" + p.ID + "/scan", ""},
		{"POST", "/api/v1/fim/changes/accept", `{"ids":["1"],"note":"x"}`},
	} {
		var b any
		if req.body != "" {
			b = req.body
		}
		ts.call(t, viewer, req.method, req.path, b, http.StatusForbidden, nil)
	}
	ts.call(t, admin, "DELETE", "/api/v1/fim/policies/"+p.ID, nil, http.StatusNoContent, nil)
	ts.call(t, admin, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusNotFound, nil)
}

// testFIMEpoch is the agent's state id in the tests' reports.
const testFIMEpoch = "0123456789abcdef0123456789abcdef"

// fimReport applies a report of agent to the server as the gateway would.
func fimReport(t *testing.T, ts *testServer, agentID string, p fimPolicyOutput, scan uint64, baseline bool, changes ...fim.Change) {
	t.Helper()
	r := &wire.FIMReport{PolicyID: p.ID, Revision: p.Revision, Epoch: testFIMEpoch, Scan: scan, Seq: 1, Baseline: baseline, Done: true,
		Started: time.Now(), Changes: changes, Progress: fim.Progress{Objects: uint64(len(changes))}}
	if err := ts.commitFIMReport(context.Background(), agentID, r); err != nil {
		t.Fatalf("report scan %d: %v", scan, err)
	}
}

// fimStatus returns the status and message of agentID's FIM monitor.
func fimStatus(ts *testServer, agentID string) (checks.Status, string) {
	m, ok := ts.fimMonitorOf(agentID)
	if !ok {
		return "", ""
	}
	st, ok := ts.engine.State(m.ID)
	if !ok {
		return "", ""
	}
	return st.Status, st.Message
}

func TestAPIFIMFlow(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	web1, web2 := ts.addAgent(t, "web1"), ts.addAgent(t, "web2")

	var p fimPolicyOutput
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"etc","agents":["WEB1","label:role=web"],"paths":["/etc"],
		"severity":[{"pattern":"/etc/shadow","severity":"critical"},{"pattern":"/etc/*.log","severity":"low"}]}`, http.StatusCreated, &p)
	if !slices.Equal(p.AgentSelectors, []string{web1.ID, "label:role=web"}) || p.Interval != "1h" || p.IOLimitMBps != 50 || p.Revision == "" {
		t.Fatalf("created = %+v", p)
	}
	if len(p.Agents) != 1 || p.Agents[0].AgentID != web1.ID || p.Agents[0].LastScanAt != nil || p.Agents[0].Scanning {
		t.Fatalf("agents = %+v", p.Agents)
	}
	if got := ts.fimAssignments(web2.ID); len(got) != 0 {
		t.Errorf("web2 has no label yet, got %+v", got)
	}

	t.Run("an agent that gets the label gets the policy", func(t *testing.T) {
		ts.call(t, tok, "PUT", "/api/v1/agents/"+web2.ID, `{"labels":["role=web"]}`, http.StatusOK, nil)
		if got := ts.fimAssignments(web2.ID); len(got) != 1 || got[0].ID != p.ID {
			t.Errorf("web2 scans %+v", got)
		}
		waitFor(t, 5*time.Second, "FIM monitors of both agents", func() bool {
			_, ok1 := ts.fimMonitorOf(web1.ID)
			_, ok2 := ts.fimMonitorOf(web2.ID)
			return ok1 && ok2
		})
		m, _ := ts.fimMonitorOf(web2.ID)
		if m.Name != "File integrity · web2" || m.Target != "web2" || m.Confirm != 1 || !slices.Equal(m.Locations, []string{web2.ID}) {
			t.Errorf("monitor = %+v", m)
		}
		waitFor(t, 5*time.Second, "a first ok result", func() bool { st, _ := fimStatus(ts, web2.ID); return st == checks.StatusOK })

		// A person may rename it and choose who hears of it, but not
		// change what it watches, nor make another one.
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"name":"FIM web2","confirm":2}`, http.StatusOK, nil)
		for _, c := range []struct{ body, field string }{
			{`{"type":"tcp","target":"h:1"}`, "type"},
			{`{"target":"web1"}`, "target"},
			{`{"locations":["server"]}`, "locations"},
		} {
			var e struct{ Error, Field string }
			ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, c.body, http.StatusBadRequest, &e)
			if e.Field != c.field {
				t.Errorf("PUT %s: field %q, want %q (%s)", c.body, e.Field, c.field, e.Error)
			}
		}
		var tcp struct{ ID string }
		ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"t","type":"tcp","target":"127.0.0.1:1"}`, http.StatusCreated, &tcp)
		ts.call(t, tok, "PUT", "/api/v1/monitors/"+tcp.ID, `{"type":"fim","target":"web1"}`, http.StatusBadRequest, nil)
		ts.call(t, tok, "DELETE", "/api/v1/monitors/"+tcp.ID, nil, http.StatusNoContent, nil)
		if m2, _ := ts.fimMonitorOf(web2.ID); m2.ID != m.ID || m2.Name != "FIM web2" {
			t.Errorf("after the edits the FIM monitor is %+v", m2)
		}
	})

	shadow := &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("1", 64), Size: 900, Mode: 0o640, MTime: time.Unix(1e9, 0)}
	shadow2 := *shadow
	shadow2.SHA256, shadow2.MTime = strings.Repeat("2", 64), time.Unix(2e9, 0)
	logf := &fim.Object{Type: fim.TypeFile, Size: 1, Mode: 0o644}
	fimReport(t, ts, web1.ID, p, 1, true, fim.Change{Path: "/etc/shadow", Kind: fim.Added, After: shadow})
	fimReport(t, ts, web1.ID, p, 2, false,
		fim.Change{Path: "/etc/shadow", Kind: fim.Modified, Attrs: []string{fim.AttrSHA256, fim.AttrMTime}, Before: shadow, After: &shadow2},
		fim.Change{Path: "/etc/app.log", Kind: fim.Added, After: logf})

	var changes []fimChangeOutput
	ts.call(t, tok, "GET", "/api/v1/fim/changes?policy="+p.ID+"&open=true", nil, http.StatusOK, &changes)
	if len(changes) != 2 || changes[1].Path != "/etc/shadow" || changes[1].Severity != "critical" || changes[1].Before.SHA256 != shadow.SHA256 ||
		changes[1].After.SHA256 != shadow2.SHA256 || changes[1].AcceptedAt != nil || changes[0].Severity != "low" {
		t.Fatalf("changes = %+v", changes)
	}
	waitFor(t, 5*time.Second, "the FIM monitor in problem", func() bool {
		st, msg := fimStatus(ts, web1.ID)
		return st == checks.StatusProblem && strings.Contains(msg, "2 open changes: 1 critical, 1 low (policy etc)")
	})

	t.Run("list filters", func(t *testing.T) {
		for q, want := range map[string]int{
			"agent=web1": 2, "agent=" + web2.ID: 0, "severity=critical": 1, "change=added": 1, "path=shadow": 1, "open=false": 0, "limit=1": 1,
			"before=" + changes[0].ID: 1,
		} {
			var got []fimChangeOutput
			ts.call(t, tok, "GET", "/api/v1/fim/changes?"+q, nil, http.StatusOK, &got)
			if len(got) != want {
				t.Errorf("%s: %d changes, want %d", q, len(got), want)
			}
		}
		for q, field := range map[string]string{"agent=nope": "agent", "policy=99": "policy", "open=maybe": "open",
			"severity=urgent": "severity", "change=renamed": "change", "limit=0": "limit", "before=x": "before"} {
			var e struct{ Field string }
			ts.call(t, tok, "GET", "/api/v1/fim/changes?"+q, nil, http.StatusBadRequest, &e)
			if e.Field != field {
				t.Errorf("%s: field %q, want %q", q, e.Field, field)
			}
		}
	})

	t.Run("accept validation", func(t *testing.T) {
		for body, field := range map[string]string{
			`{"ids":["` + changes[1].ID + `"]}`:                              "note",
			`{"ids":[],"note":"x"}`:                                          "ids",
			`{"ids":["` + changes[1].ID + `","999"],"note":"x"}`:             "ids[1]",
			`{"all":true,"note":"x"}`:                                        "policy",
			`{"all":true,"policy":"` + p.ID + `","agent":"nope","note":"x"}`: "agent",
			`{"ids":["1"],"policy":"` + p.ID + `","note":"x"}`:               "all",
		} {
			var e struct{ Field string }
			ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", body, http.StatusBadRequest, &e)
			if e.Field != field {
				t.Errorf("%s: field %q, want %q", body, e.Field, field)
			}
		}
	})

	var acc fimAcceptOutput
	ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", `{"ids":["`+changes[1].ID+`"],"note":"rotated the root password"}`, http.StatusOK, &acc)
	if acc.Accepted != 1 {
		t.Errorf("accepted %d", acc.Accepted)
	}
	waitFor(t, 5*time.Second, "the FIM monitor in warning", func() bool {
		st, msg := fimStatus(ts, web1.ID)
		return st == checks.StatusWarning && strings.Contains(msg, "1 open change: 1 low")
	})
	var audit []store.AuditEntry
	ts.call(t, tok, "GET", "/api/v1/audit?target=fim_policy:"+p.ID+"&limit=1", nil, http.StatusOK, &audit)
	if len(audit) != 1 || audit[0].Action != "fim_change.accept" || audit[0].Actor != "admin" || !strings.Contains(string(audit[0].After), "rotated the root password") {
		t.Errorf("audit = %+v", audit)
	}

	ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", `{"policy":"`+p.ID+`","agent":"web1","all":true,"note":"patch day"}`, http.StatusOK, &acc)
	if acc.Accepted != 1 {
		t.Errorf("patch day accepted %d", acc.Accepted)
	}
	waitFor(t, 5*time.Second, "the FIM monitor ok", func() bool { st, _ := fimStatus(ts, web1.ID); return st == checks.StatusOK })

	t.Run("the next scan is clean", func(t *testing.T) {
		fimReport(t, ts, web1.ID, p, 3, false,
			fim.Change{Path: "/etc/shadow", Kind: fim.Modified, Attrs: []string{fim.AttrSHA256}, Before: shadow, After: &shadow2})
		ts.call(t, tok, "GET", "/api/v1/fim/changes?open=true", nil, http.StatusOK, &changes)
		if len(changes) != 0 {
			t.Errorf("open changes = %+v", changes)
		}
	})

	t.Run("policy view", func(t *testing.T) {
		ts.call(t, tok, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, &p)
		row := p.Agents[0]
		if len(p.Agents) != 2 || row.AgentID != web1.ID || row.AgentName != "web1" || row.Objects != 2 || row.Bytes != 901 ||
			row.LastScanAt == nil || row.BaselineAt == nil || row.OpenChanges != 0 {
			t.Errorf("agents = %+v", p.Agents)
		}
	})

	t.Run("scan now", func(t *testing.T) {
		var out struct {
			ScanRequest uint64 `json:"scan_request"`
		}
		ts.call(t, tok, "POST", "/api/v1/fim/policies/"+p.ID+"/scan", nil, http.StatusAccepted, &out)
		if got := ts.fimAssignments(web1.ID); out.ScanRequest != 1 || len(got) != 1 || got[0].ScanRequest != 1 {
			t.Errorf("scan request %d, assignments %+v", out.ScanRequest, got)
		}
		ts.call(t, tok, "POST", "/api/v1/fim/policies/99/scan", nil, http.StatusNotFound, nil)
	})

	t.Run("an update that sends back a GET", func(t *testing.T) {
		raw := ts.call(t, tok, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, nil)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		body["exclude"] = []string{"/etc/cache/**"}
		var q fimPolicyOutput
		ts.call(t, tok, "PUT", "/api/v1/fim/policies/"+p.ID, body, http.StatusOK, &q)
		if q.Revision == p.Revision || !slices.Equal(q.AgentSelectors, p.AgentSelectors) || q.ScanRequest != 2 {
			t.Errorf("updated = %+v", q)
		}
		r := &wire.FIMReport{PolicyID: p.ID, Revision: p.Revision, Epoch: testFIMEpoch, Scan: 4, Seq: 1, Started: time.Now()}
		if err := ts.commitFIMReport(context.Background(), web1.ID, r); err == nil {
			t.Error("a report of the old revision was applied")
		}
	})

	t.Run("delete", func(t *testing.T) {
		ts.call(t, tok, "DELETE", "/api/v1/fim/policies/"+p.ID, nil, http.StatusNoContent, nil)
		if got := ts.fimAssignments(web1.ID); len(got) != 0 {
			t.Errorf("assignments after delete: %+v", got)
		}
		ts.fimMonitors.kick()
		waitFor(t, 5*time.Second, "the FIM monitors removed", func() bool {
			_, ok1 := ts.fimMonitorOf(web1.ID)
			_, ok2 := ts.fimMonitorOf(web2.ID)
			return !ok1 && !ok2
		})
	})
}

func TestFIMMonitorKeptWhileChangesOpen(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	a := ts.addAgent(t, "db1")
	var p fimPolicyOutput
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"etc","agents":["db1"],"paths":["/etc"]}`, http.StatusCreated, &p)
	fimReport(t, ts, a.ID, p, 1, true)
	fimReport(t, ts, a.ID, p, 2, false, fim.Change{Path: "/etc/x", Kind: fim.Added, After: &fim.Object{Type: fim.TypeDir}})
	ts.call(t, tok, "PUT", "/api/v1/fim/policies/"+p.ID, `{"agents":[]}`, http.StatusOK, nil)
	if err := ts.reconcileFIMMonitors(); err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.fimMonitorOf(a.ID); !ok {
		t.Fatal("the FIM monitor was removed while a change is open")
	}
	ts.call(t, tok, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, &p)
	if len(p.Agents) != 1 || p.Agents[0].Assigned || p.Agents[0].OpenChanges != 1 {
		t.Errorf("agents = %+v", p.Agents)
	}
	ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", `{"policy":"`+p.ID+`","all":true,"note":"decommissioned"}`, http.StatusOK, nil)
	if err := ts.reconcileFIMMonitors(); err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.fimMonitorOf(a.ID); ok {
		t.Error("the FIM monitor of an agent without policies or open changes was kept")
	}
}

func TestJudgeFIM(t *testing.T) {
	names := func(id string) string { return map[string]string{"1": "etc", "2": "web roots"}[id] }
	tests := []struct {
		name   string
		counts map[string]map[string]int
		status checks.Status
		msg    string
		stale  []string
	}{
		{"none", nil, checks.StatusOK, "no open changes", nil},
		{"low only", map[string]map[string]int{"2": {"low": 2}}, checks.StatusWarning, "2 open changes: 2 low (policy web roots)", nil},
		{"medium", map[string]map[string]int{"1": {"medium": 1}}, checks.StatusProblem, "1 open change: 1 medium (policy etc)", nil},
		{"mixed", map[string]map[string]int{"1": {"critical": 1, "medium": 2}, "2": {"low": 1}}, checks.StatusProblem,
			"4 open changes: 1 critical, 2 medium, 1 low (policy etc, web roots)", nil},
		{"stale scans alone warn", nil, checks.StatusWarning, "no open changes; scans need a look: late", []string{"late"}},
		{"changes win over stale scans", map[string]map[string]int{"1": {"high": 1}}, checks.StatusProblem,
			"1 open change: 1 high (policy etc); scans need a look: late; root gone", []string{"late", "root gone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := judgeFIM(tt.counts, tt.stale, names)
			if r.Status != tt.status || r.Message != tt.msg {
				t.Errorf("got %s %q, want %s %q", r.Status, r.Message, tt.status, tt.msg)
			}
		})
	}
}

func TestFIMStockPoliciesValidate(t *testing.T) {
	for _, sp := range fimStockPoliciesCopy() {
		t.Run(sp.Key, func(t *testing.T) {
			in := fimPolicyInput{Name: sp.Name, Paths: sp.Paths, Exclude: sp.Exclude, Interval: sp.Interval, Severity: sp.Severity}
			var p store.FIMPolicy
			if err := in.toFIMPolicy(&p, nil); err != nil {
				t.Fatalf("stock policy does not validate: %v", err)
			}
			p.ID, p.Revision = "1", store.FIMRevision(p)
			if wp := wireFIMPolicy(p); wp.Validate() != nil {
				err := wp.Validate()
				t.Errorf("not valid for the agent protocol: %v", err)
			}
		})
	}
	sev := map[string]func(string) string{}
	for _, sp := range fimStockPoliciesCopy() {
		rules := make([]store.FIMSeverityRule, len(sp.Severity))
		for i, r := range sp.Severity {
			rules[i] = store.FIMSeverityRule(r)
		}
		sev[sp.Key] = fimSeverity(rules)
	}
	for _, c := range []struct{ policy, path, want string }{
		{"linux-binaries", "/usr/bin/sudo", "critical"},
		{"linux-binaries", "/usr/lib/x86_64-linux-gnu/libc.so.6", "high"},
		{"etc", "/etc/shadow", "critical"},
		{"etc", "/etc/ssh/sshd_config", "critical"},
		{"etc", "/etc/cron.d/backup", "high"},
		{"etc", "/etc/motd", "medium"},
		{"boot", "/boot/vmlinuz-6.1.0", "critical"},
		{"boot", "/boot/initrd.img-6.1.0", "high"},
		{"web-roots", "/etc/nginx/nginx.conf", "high"},
		{"web-roots", "/var/www/site/index.html", "medium"},
	} {
		if got := sev[c.policy](c.path); got != c.want {
			t.Errorf("%s: %s is %s, want %s", c.policy, c.path, got, c.want)
		}
	}
}

func TestFIMStockAsPolicies(t *testing.T) {
	got := fimStockAsPolicies()
	if len(got) != len(fimStockPolicies) {
		t.Fatalf("%d policies, want %d", len(got), len(fimStockPolicies))
	}
	for i, p := range got {
		if p.ID != fimStockPolicies[i].Key || p.Interval < wire.MinFIMInterval || len(p.Severity) != len(fimStockPolicies[i].Severity) {
			t.Errorf("%s: %+v", fimStockPolicies[i].Key, p)
		}
	}
	got[0].Paths[0] = "/changed"
	if fimStockPolicies[0].Paths[0] == "/changed" {
		t.Error("the stock policies can be changed through a copy")
	}
}

func TestFIMPaths(t *testing.T) {
	got, err := fimPaths([]string{" /etc/ ", "/srv//www/../www", `C:\Windows\System32`, "/"})
	want := []string{"/etc", "/srv/www", `C:\Windows\System32`, "/"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("fimPaths = %q, %v; want %q", got, err, want)
	}
}

func TestFIMStale(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := store.FIMPolicy{Name: "etc", Paths: []string{"/etc"}, Interval: time.Hour, CreatedAt: now.Add(-24 * time.Hour)}
	a := store.Agent{CreatedAt: now.Add(-48 * time.Hour)}
	tests := []struct {
		name string
		a    store.Agent
		st   store.FIMAgentState
		want string // a part of the reason; "" none
	}{
		{"scanned recently", a, store.FIMAgentState{LastScanAt: now.Add(-2 * time.Hour)}, ""},
		{"within the grace", a, store.FIMAgentState{LastScanAt: now.Add(-129 * time.Minute)}, ""},
		{"late", a, store.FIMAgentState{LastScanAt: now.Add(-131 * time.Minute)}, "no scan finished since 2026-05-01T09:49:00Z"},
		{"never scanned", a, store.FIMAgentState{}, "no scan ever finished since it applied at 2026-04-30T12:00:00Z"},
		{"agent joined just now", store.Agent{CreatedAt: now.Add(-time.Hour)}, store.FIMAgentState{}, ""},
		{"root unreadable", a, store.FIMAgentState{LastScanAt: now, RootErrors: []fim.ScanError{{Path: "/etc", Error: "does not exist"}}},
			`policy "etc": the last scan could not read /etc: does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fimStale(p, tt.a, tt.st, now)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAPIFIMAgentStateReset(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	a := ts.addAgent(t, "db1")
	var p fimPolicyOutput
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"etc","agents":["db1"],"paths":["/etc"]}`, http.StatusCreated, &p)
	fimReport(t, ts, a.ID, p, 1, true, fim.Change{Path: "/etc/x", Kind: fim.Added, After: &fim.Object{Type: fim.TypeDir}})
	// The agent's fim.db was deleted: a new epoch, scan 1 again, a
	// baseline without /etc/x and with /etc/y.
	r := &wire.FIMReport{PolicyID: p.ID, Revision: p.Revision, Epoch: "ffffffffffffffffffffffffffffffff", Scan: 1, Seq: 1, Baseline: true,
		Done: true, Started: time.Now(), Progress: fim.Progress{Objects: 1},
		Changes: []fim.Change{{Path: "/etc/y", Kind: fim.Added, After: &fim.Object{Type: fim.TypeDir}}}}
	if err := ts.commitFIMReport(context.Background(), a.ID, r); err != nil {
		t.Fatal(err)
	}
	ts.call(t, tok, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, &p)
	if len(p.Agents) != 1 || p.Agents[0].StateResetAt == nil || p.Agents[0].StateReset != store.FIMResetMessage || p.Agents[0].OpenChanges != 2 {
		t.Fatalf("agent entry = %+v", p.Agents)
	}
	var changes []fimChangeOutput
	ts.call(t, tok, "GET", "/api/v1/fim/changes?open=true&policy="+p.ID, nil, http.StatusOK, &changes)
	if len(changes) != 2 || changes[0].Path != "/etc/x" || changes[0].Change != fim.Removed || changes[1].Path != "/etc/y" || changes[1].Change != fim.Added {
		t.Errorf("changes = %+v", changes)
	}
}
