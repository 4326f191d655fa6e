package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// fimForm is a valid "New policy" form for agent web-1.
func fimForm(csrf string) url.Values {
	v := url.Values{"csrf": {csrf}, "name": {"Web root"}, "agents": {"web-1"}, "paths": {"/var/www\n\n/srv/app"},
		"exclude": {"/var/www/cache/**"}, "interval": {"5m"}, "severity": {"/var/www/*.php critical\n/srv/app/** low"},
		"io_limit_mbps": {"20"}, "full_rehash_every": {""}}
	v["attributes"] = fim.AllAttrs
	return v
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestWebFIMPolicyFormErrors posts bad policy forms: each comes back on
// the page as typed, every mistake beside its field in the page's words,
// and no policy is made.
func TestWebFIMPolicyFormErrors(t *testing.T) {
	ts := newTestServer(t, true)
	ts.addAgent(t, "web-1")
	b := newBrowser(t, ts)
	csrf := b.login()
	noAttrs := fimForm(csrf)
	noAttrs.Del("attributes")
	tests := []struct {
		name string
		form url.Values
		want []string // field errors, in page order
	}{
		{"form mistakes at once", with(noAttrs, "name", "Web", "interval", "often", "io_limit_mbps", "-1", "severity", "/etc/shadow"),
			[]string{"Scan every must be a duration",
				"Read at most: a whole number, 0 or more",
				"Attributes to watch: tick at least one",
				"Severity rules, line 1: write the pattern, a space and low, medium, high or critical"}},
		{"relative path on line 3", with(fimForm(csrf), "paths", "/var/www\n\nsrv/app"), []string{"Paths, line 3: "}},
		{"no name", with(fimForm(csrf), "name", " "), []string{"Name is required"}},
		{"unknown agent", with(fimForm(csrf), "agents", "web-1, web-9"), []string{"Agents: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.post("/fim/policies", tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400:\n%s", resp.StatusCode, page)
			}
			got := pageFieldErrors(page)
			if len(got) != len(tt.want) {
				t.Fatalf("field errors %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("field error %d is %q, want it to start %q", i, got[i], tt.want[i])
				}
			}
			if !strings.Contains(page, `data-testid="fim-policy-form"`) || !strings.Contains(page, `value="`+htmlEscape(tt.form.Get("name"))+`"`) {
				t.Errorf("the form does not come back as typed:\n%s", page)
			}
		})
	}
	if ps, err := ts.db.FIMPolicies(); err != nil || len(ps) != 0 {
		t.Errorf("after refused forms: %d policies (%v), want none", len(ps), err)
	}
}

// TestWebFIMFlow is the done-when story on the server: a policy made in
// the form, its page, a baseline and a change reported, the change list
// with before and after, a refused and a good acceptance, patch-day
// acceptance, edit, scan now and delete.
func TestWebFIMFlow(t *testing.T) {
	ts := newTestServer(t, true)
	agent := ts.addAgent(t, "web-1")
	b := newBrowser(t, ts)
	csrf := b.login()

	resp, page := b.post("/fim/policies", fimForm(csrf))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d:\n%s", resp.StatusCode, page)
	}
	loc := resp.Header.Get("Location")
	id := strings.TrimPrefix(loc, "/fim/policies/")
	pol, err := ts.db.FIMPolicy(id)
	if err != nil {
		t.Fatalf("created policy %q: %v", loc, err)
	}
	if strings.Join(pol.Paths, "|") != "/var/www|/srv/app" || pol.Interval != 5*time.Minute || pol.IOLimitMBps != 20 ||
		len(pol.Attributes) != 0 || len(pol.Severity) != 2 || pol.Severity[0] != (store.FIMSeverityRule{Pattern: "/var/www/*.php", Severity: "critical"}) {
		t.Errorf("stored policy %+v", pol)
	}
	_, page = b.get(loc)
	for _, want := range []string{`data-testid="fim-policy"`, "Policy &#34;Web root&#34; created", `data-testid="fim-agent-row" data-agent-id="` + agent.ID + `"`, "not yet"} {
		if !strings.Contains(page, want) {
			t.Errorf("policy page lacks %s:\n%s", want, page)
		}
	}

	// The agent reports its baseline, then a scan with two changes.
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	index := fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("a", 64), Size: 10, Mode: 0o644, MTime: mt, Inode: 7}
	edited := index
	edited.SHA256, edited.Size, edited.Mode = strings.Repeat("b", 64), 2048, 0o4755
	report := func(scan uint64, baseline bool, changes ...fim.Change) {
		t.Helper()
		r := &wire.FIMReport{PolicyID: id, Revision: pol.Revision, Scan: scan, Seq: 1, Baseline: baseline, Started: time.Now(),
			Changes: changes, Progress: fim.Progress{Objects: 2}, Done: true}
		if _, err := ts.db.ApplyFIMReport(agent.ID, r, fimSeverity(pol.Severity), time.Now()); err != nil {
			t.Fatalf("apply report %d: %v", scan, err)
		}
	}
	report(1, true, fim.Change{Path: "/var/www/index.php", Kind: fim.Added, After: &index},
		fim.Change{Path: "/srv/app/a.txt", Kind: fim.Added, After: &index})
	report(2, false, fim.Change{Path: "/var/www/index.php", Kind: fim.Modified, Attrs: []string{fim.AttrSHA256, fim.AttrSize, fim.AttrMode}, Before: &index, After: &edited},
		fim.Change{Path: "/srv/app/a.txt", Kind: fim.Removed, Before: &index})

	_, page = b.get("/fim")
	for _, want := range []string{`data-testid="fim-policy-row" data-policy-id="` + id + `"`, `data-testid="fim-policy-objects">1<`, "1 critical", "1 low"} {
		if !strings.Contains(page, want) {
			t.Errorf("policies page lacks %s:\n%s", want, page)
		}
	}
	_, page = b.get("/fim/changes?policy=" + id)
	changeIDs := regexp.MustCompile(`data-testid="fim-change" data-change-id="([^"]+)" data-path="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(changeIDs) != 2 || changeIDs[0][2] != "/srv/app/a.txt" || changeIDs[1][2] != "/var/www/index.php" {
		t.Fatalf("change list %v, want the removal then the modification:\n%s", changeIDs, page)
	}
	for _, want := range []string{`<tr class="changed" data-attr="mode">`, "0644 (-rw-r--r--)", "4755 (-rwsr-xr-x)", "2.0 KiB (2,048 bytes)", "2026-01-02 03:04:05 UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("change list lacks %s", want)
		}
	}

	// Accepting without a note is refused, the tick kept; with one it
	// closes the change, and the accepted list says who and why.
	modified := changeIDs[1][1]
	back := "/fim/changes?policy=" + id
	resp, page = b.post("/fim/changes/accept", url.Values{"csrf": {csrf}, "id": {modified}, "note": {" "}, "scope": {"selected"}, "back": {back}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Note: say why") ||
		!regexp.MustCompile(`value="`+modified+`" checked`).MatchString(page) {
		t.Errorf("accept without a note: status %d, want 400 with the error and the tick kept:\n%s", resp.StatusCode, page)
	}
	resp, page = b.post("/fim/changes/accept", url.Values{"csrf": {csrf}, "id": {modified}, "note": {"deploy 42"}, "scope": {"selected"}, "back": {back}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != back {
		t.Fatalf("accept: status %d to %q, want 303 to %s:\n%s", resp.StatusCode, resp.Header.Get("Location"), back, page)
	}
	c, err := ts.db.FIMChange(modified)
	if err != nil || c.Open() || c.Note != "deploy 42" || c.AcceptedBy == "" {
		t.Errorf("accepted change %+v (%v)", c, err)
	}
	_, page = b.get("/fim/changes?state=accepted")
	if !strings.Contains(page, "accepted by <strong>admin</strong>") || !strings.Contains(page, "deploy 42") {
		t.Errorf("accepted list does not say who and why:\n%s", page)
	}

	// Patch day: every open change of the policy on the agent at once.
	resp, page = b.post(loc+"/accept", url.Values{"csrf": {csrf}, "agent": {agent.ID}, "note": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Note: say why") {
		t.Errorf("patch-day accept without a note: status %d:\n%s", resp.StatusCode, page)
	}
	resp, _ = b.post(loc+"/accept", url.Values{"csrf": {csrf}, "agent": {agent.ID}, "note": {"patch Tuesday"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("patch-day accept: status %d", resp.StatusCode)
	}
	open := true
	if left, _ := ts.db.FIMChanges(store.FIMChangeQuery{PolicyID: id, Open: &open}); len(left) != 0 {
		t.Errorf("%d changes open after the patch-day acceptance", len(left))
	}

	// Edit: a bad edit comes back open with its error; a good one saves.
	resp, page = b.post(loc, with(fimForm(csrf), "interval", "soon"))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<details class="fim-edit" open`) || !strings.Contains(page, "Scan every must be a duration") {
		t.Errorf("bad edit: status %d:\n%s", resp.StatusCode, page)
	}
	resp, _ = b.post(loc, with(fimForm(csrf), "paths", "/var/www"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: status %d", resp.StatusCode)
	}
	if got, _ := ts.db.FIMPolicy(id); got.Revision == pol.Revision || len(got.Paths) != 1 {
		t.Errorf("edited policy %+v keeps its revision", got)
	}

	resp, _ = b.post(loc+"/scan", url.Values{"csrf": {csrf}})
	if got, _ := ts.db.FIMPolicy(id); resp.StatusCode != http.StatusSeeOther || got.ScanRequest <= pol.ScanRequest {
		t.Errorf("scan now: status %d, scan request %d", resp.StatusCode, got.ScanRequest)
	}
	resp, _ = b.post(loc+"/delete", url.Values{"csrf": {csrf}})
	if _, err := ts.db.FIMPolicy(id); resp.StatusCode != http.StatusSeeOther || err == nil {
		t.Errorf("delete: status %d, policy still there (%v)", resp.StatusCode, err)
	}
	if resp, _ := b.get(loc); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted policy's page: status %d, want 404", resp.StatusCode)
	}
}

// TestWebFIMStockAndLive checks the stock policy filling the form and the
// live-refresh fragments.
func TestWebFIMStockAndLive(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	b.login()
	stock := ts.webFIMStock()
	if len(stock) == 0 {
		t.Fatal("no stock policies")
	}
	resp, page := b.get("/fim?stock=" + url.QueryEscape(stock[0].ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, htmlEscape(stock[0].Paths[0])+"</textarea>") && !strings.Contains(page, htmlEscape(stock[0].Paths[0])+"\n") {
		t.Errorf("stock %s: status %d, form lacks its paths:\n%s", stock[0].ID, resp.StatusCode, page)
	}
	// Filled from a stock policy, the form creates a new policy: it must
	// not post to an edit of a policy whose id is the template's.
	if !strings.Contains(page, `action="/fim/policies" id="fim-policy-form"`) || !strings.Contains(page, "Create policy") {
		t.Errorf("the form filled from stock %s does not create a policy:\n%s", stock[0].ID, page)
	}
	if resp, _ := b.get("/fim?stock=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown stock policy: status %d, want 404", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", ts.url("/fim?partial=table"), nil)
	req.Header.Set("HX-Request", "true")
	r, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("live table: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// TestWebFIMViewer: a viewer reads every page but gets no form, and
// posting is refused.
func TestWebFIMViewer(t *testing.T) {
	ts := newTestServer(t, true)
	ts.addUser(t, "vera", roleViewer)
	b := newBrowser(t, ts)
	_, page := b.get("/login")
	b.post("/login", url.Values{"username": {"vera"}, "password": {testPassword}, "csrf": {b.csrf(page)}, "next": {"/"}})
	_, page = b.get("/fim")
	if !strings.Contains(page, `data-testid="fim-policies"`) || strings.Contains(page, `data-testid="fim-policy-form"`) {
		t.Errorf("viewer's policies page:\n%s", page)
	}
	if resp, _ := b.get("/fim/changes"); resp.StatusCode != http.StatusOK {
		t.Errorf("viewer's change list: status %d", resp.StatusCode)
	}
	if resp, _ := b.post("/fim/policies", fimForm(b.csrf(page))); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer creates a policy: status %d, want 403", resp.StatusCode)
	}
}

func TestWebFIMFormError(t *testing.T) {
	lines := map[string]webFIMLines{"paths": webFIMSplitLines("/a\n\n  \n/b\nc"), "severity": webFIMSplitLines("x low")}
	tests := []struct{ field, wantName, wantMsg string }{
		{"paths[2]", "paths", "Paths, line 5: bad"},
		{"severity[0].pattern", "severity", "Severity rules, line 1: bad"},
		{"agents[3]", "agents", "Agents: bad"},
		{"interval", "interval", "Scan every: bad"},
		{"io_limit_mbps", "io_limit_mbps", "Read at most must be 0"},
		{"revision", "", "bad"},
		{"", "", "bad"},
	}
	for _, tt := range tests {
		msg := "bad"
		if tt.field == "io_limit_mbps" {
			msg = "io_limit_mbps must be 0"
		}
		name, msg := webFIMFormError(tt.field, msg, lines)
		if name != tt.wantName || msg != tt.wantMsg {
			t.Errorf("webFIMFormError(%q) = %q, %q; want %q, %q", tt.field, name, msg, tt.wantName, tt.wantMsg)
		}
	}
}

func TestWebFIMBack(t *testing.T) {
	for raw, want := range map[string]string{
		"/fim/changes?policy=1&state=all":  "/fim/changes?policy=1&state=all",
		"https://evil.example/fim/changes": "/fim/changes",
		"//evil.example/fim/changes":       "/fim/changes",
		"/audit":                           "/fim/changes",
		"%zz":                              "/fim/changes",
	} {
		if got := webFIMBack(raw).String(); got != want {
			t.Errorf("webFIMBack(%q) = %q, want %q", raw, got, want)
		}
	}
}
