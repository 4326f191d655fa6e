package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/store"
)

// acceptAllSetup is a server with policy "etc" on agent web1, a baseline
// of /etc/hosts, and two open changes.
func acceptAllSetup(t *testing.T) (*testServer, string, fimPolicyOutput, store.Agent) {
	t.Helper()
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	web1 := ts.addAgent(t, "web1")
	var p fimPolicyOutput
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"etc","agents":["web1"],"paths":["/etc"]}`, http.StatusCreated, &p)
	fimReport(t, ts, web1.ID, p, 1, true, fim.Change{Path: "/etc/hosts", Kind: fim.Added, After: acceptAllFile("1")})
	fimReport(t, ts, web1.ID, p, 2, false,
		fim.Change{Path: "/etc/hosts", Kind: fim.Modified, Attrs: []string{fim.AttrSHA256}, Before: acceptAllFile("1"), After: acceptAllFile("2")},
		fim.Change{Path: "/etc/motd", Kind: fim.Added, After: acceptAllFile("1")})
	return ts, tok, p, web1
}

func acceptAllFile(sum string) *fim.Object {
	return &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat(sum, 64), Size: 1, Mode: 0o644, MTime: time.Unix(1e9, 0)}
}

// openPaths lists the policy's open changes' paths, newest first.
func openPaths(t *testing.T, ts *testServer, policyID string) string {
	t.Helper()
	open := true
	cs, err := ts.db.FIMChanges(store.FIMChangeQuery{PolicyID: policyID, Open: &open})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Path)
	}
	return strings.Join(out, " ")
}

var throughField = regexp.MustCompile(`<input type="hidden" name="through" value="([^"]*)">`)

// TestWebFIMAcceptAllLeavesWhatThePageDidNotShow: a change reported
// after the policy's page was shown is not accepted by its "Accept all",
// and the flash says it stayed open and why.
func TestWebFIMAcceptAllLeavesWhatThePageDidNotShow(t *testing.T) {
	ts, _, p, web1 := acceptAllSetup(t)
	b := newBrowser(t, ts)
	csrf := b.login()
	loc := "/fim/policies/" + p.ID
	_, page := b.get(loc)
	m := throughField.FindStringSubmatch(page)
	if m == nil || m[1] == "" {
		t.Fatalf("the accept-all form sends no through:\n%s", page)
	}
	open := true
	newest, _ := ts.db.FIMChanges(store.FIMChangeQuery{PolicyID: p.ID, Open: &open, Limit: 1})
	if len(newest) != 1 || m[1] != newest[0].ID {
		t.Fatalf("through = %q, want the newest open change %+v", m[1], newest)
	}

	// The agent reports a change while the person reads the page.
	fimReport(t, ts, web1.ID, p, 3, false, fim.Change{Path: "/etc/cron.d/evil", Kind: fim.Added, After: acceptAllFile("3")})

	resp, _ := b.post(loc+"/accept", url.Values{"csrf": {csrf}, "agent": {""}, "through": {m[1]}, "note": {"patch Tuesday"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Fatalf("accept all: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := openPaths(t, ts, p.ID); got != "/etc/cron.d/evil" {
		t.Errorf("open after accept all = %q, want only the change reported after the page", got)
	}
	_, page = b.get(loc)
	for _, want := range []string{"2 changes accepted: they are the baseline now.", "1 newer change stays open: it was reported after this page was shown"} {
		if !strings.Contains(page, want) {
			t.Errorf("page after accept all lacks %q:\n%s", want, page)
		}
	}
	if m := throughField.FindStringSubmatch(page); m == nil || m[1] == "" || m[1] == newest[0].ID {
		t.Errorf("the page now offers through %v, want the new change's id", m)
	}

	// A through that is not a change id is refused on the form.
	resp, page = b.post(loc+"/accept", url.Values{"csrf": {csrf}, "through": {"x"}, "note": {"patch Tuesday"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "through must be a change id") {
		t.Errorf("bad through: status %d:\n%s", resp.StatusCode, page)
	}
	if got := openPaths(t, ts, p.ID); got != "/etc/cron.d/evil" {
		t.Errorf("a refused acceptance closed changes: open %q", got)
	}
}

func TestAPIFIMAcceptAllThrough(t *testing.T) {
	ts, tok, p, web1 := acceptAllSetup(t)
	open := true
	cs, _ := ts.db.FIMChanges(store.FIMChangeQuery{PolicyID: p.ID, Open: &open})
	if len(cs) != 2 {
		t.Fatalf("%d open changes, want 2", len(cs))
	}
	older := cs[1].ID // /etc/hosts

	t.Run("validation", func(t *testing.T) {
		for body, field := range map[string]string{
			`{"policy":"` + p.ID + `","all":true,"through":"abc","note":"x"}`: "through",
			`{"policy":"` + p.ID + `","all":true,"through":"0","note":"x"}`:   "through",
			`{"policy":"` + p.ID + `","all":true,"through":"07","note":"x"}`:  "through",
			`{"ids":["` + older + `"],"through":"` + older + `","note":"x"}`:  "all",
		} {
			var e struct{ Field string }
			ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", body, http.StatusBadRequest, &e)
			if e.Field != field {
				t.Errorf("%s: field %q, want %q", body, e.Field, field)
			}
		}
	})

	// The person saw only the older change: the newer stays open.
	var out map[string]json.RawMessage
	ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", `{"policy":"`+p.ID+`","all":true,"through":"`+older+`","note":"patch day"}`, http.StatusOK, &out)
	if string(out["accepted"]) != "1" || string(out["through"]) != `"`+older+`"` || string(out["newer"]) != "1" {
		t.Errorf("answer = %s", mustJSON(out))
	}
	if got := openPaths(t, ts, p.ID); got != "/etc/motd" {
		t.Errorf("open = %q, want the newer change", got)
	}
	var audit []store.AuditEntry
	ts.call(t, tok, "GET", "/api/v1/audit?target=fim_policy:"+p.ID+"&limit=1", nil, http.StatusOK, &audit)
	if len(audit) != 1 || audit[0].Action != "fim_change.accept" || !strings.Contains(string(audit[0].After), `"through":"`+older+`"`) ||
		!strings.Contains(string(audit[0].After), `"accepted":1`) || strings.Contains(string(audit[0].After), "partial") {
		t.Errorf("audit = %+v", audit)
	}

	// Without through: what exists when the request starts; a through
	// past the newest change is lowered to it.
	fimReport(t, ts, web1.ID, p, 3, false, fim.Change{Path: "/etc/issue", Kind: fim.Added, After: acceptAllFile("1")})
	cs, _ = ts.db.FIMChanges(store.FIMChangeQuery{PolicyID: p.ID, Limit: 1})
	ts.call(t, tok, "POST", "/api/v1/fim/changes/accept", `{"policy":"`+p.ID+`","all":true,"through":"999999","note":"patch day"}`, http.StatusOK, &out)
	if string(out["accepted"]) != "2" || string(out["through"]) != `"`+cs[0].ID+`"` || string(out["newer"]) != "0" {
		t.Errorf("answer = %s", mustJSON(out))
	}
	if got := openPaths(t, ts, p.ID); got != "" {
		t.Errorf("open = %q, want none", got)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
