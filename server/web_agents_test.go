package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var fieldErrorRe = regexp.MustCompile(`data-testid="field-error">([^<]*)</span>`)

// pageFieldErrors returns the messages of the field errors on a page.
func pageFieldErrors(page string) []string {
	var out []string
	for _, m := range fieldErrorRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestWebAgentRenameErrorsInline submits bad renames: each comes back on
// the agents page, the agent's form open and as typed, every mistake
// beside its field, and nothing changes.
func TestWebAgentRenameErrorsInline(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "web-1")
	ts.addAgent(t, "db-1")
	b := newBrowser(t, ts)
	csrf := b.login()
	long := strings.Repeat("x", maxLabelLen+1)
	tests := []struct {
		name, newName, labels string
		status                int
		want                  []string // the field errors, in page order
	}{
		{"empty name", " ", "eu", http.StatusBadRequest, []string{"an agent needs a name"}},
		{"long name", strings.Repeat("n", 201), "", http.StatusBadRequest, []string{"a name has at most 200 characters, this one has 201"}},
		{"taken, other case", "DB-1", "eu", http.StatusConflict,
			[]string{"another agent is already called &#34;db-1&#34; (names are compared without regard to case)"}},
		{"long label", "web-1", "eu, " + long, http.StatusBadRequest,
			[]string{"label &#34;xxxxxxxxxxxxxxxxxxxxxxxx…&#34; is longer than 64 characters"}},
		{"both at once", "", "eu, " + long, http.StatusBadRequest,
			[]string{"an agent needs a name", "label &#34;xxxxxxxxxxxxxxxxxxxxxxxx…&#34; is longer than 64 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.post("/agents/"+a.ID, url.Values{"csrf": {csrf}, "name": {tt.newName}, "labels": {tt.labels}})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.status, page)
			}
			if got := pageFieldErrors(page); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("field errors %q, want %q", got, tt.want)
			}
			for _, want := range []string{
				`data-testid="agents"`, `data-testid="agent-form-error"`, `<details open>`,
				`value="` + htmlEscape(tt.newName) + `" required`,
				`value="` + htmlEscape(tt.labels) + `"`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s:\n%s", want, page)
				}
			}
			if strings.Count(page, "<details open>") != 1 || strings.Contains(page, " tag ") {
				t.Errorf("want exactly one open form and no word 'tag':\n%s", page)
			}
		})
	}
	got, err := ts.db.Agent(a.ID)
	if err != nil || got.Name != "web-1" || len(got.Labels) != 0 {
		t.Errorf("after refused renames: %+v (%v), want it unchanged", got, err)
	}
	if resp, page := b.post("/agents/404", url.Values{"csrf": {csrf}, "name": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown agent: status %d, want 404:\n%s", resp.StatusCode, page)
	}
}

// TestWebJoinTokenForm checks that a bad form shows every mistake at once
// in the page's words, and that a good one shows the command in a status
// box, not an error box.
func TestWebJoinTokenForm(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()

	resp, page := b.post("/agents/join-tokens", url.Values{"csrf": {csrf}, "ttl": {"1s"}, "uses": {"zero"}, "note": {strings.Repeat("n", maxTokenNote+1)}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400:\n%s", resp.StatusCode, page)
	}
	want := []string{
		"Valid for: must be between 1 minute (1m) and 30 days (720h)",
		"Uses: must be a whole number from 1 to 1000",
		"Note: must be at most 500 characters, not 501",
	}
	if got := pageFieldErrors(page); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("field errors %q, want %q", got, want)
	}
	if !strings.Contains(page, `value="1s"`) || !strings.Contains(page, `value="zero"`) || strings.Contains(page, `data-testid="join-command"`) {
		t.Errorf("the form does not keep what was typed, or shows a command:\n%s", page)
	}
	if list, err := ts.db.JoinTokens(); err != nil || len(list) != 0 {
		t.Errorf("tokens after a refused form: %d (%v), want none", len(list), err)
	}

	resp, page = b.post("/agents/join-tokens", url.Values{"csrf": {csrf}, "ttl": {"2h"}, "uses": {"3"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d:\n%s", resp.StatusCode, page)
	}
	box := regexp.MustCompile(`<div class="([^"]*)" role="([^"]*)" data-testid="join-command-box">`).FindStringSubmatch(page)
	if box == nil || strings.Contains(box[1], "alert") || box[2] != "status" || !strings.Contains(page, "--token vgl1.") {
		t.Errorf("join command box %q: want a status box, not an alert, with the command:\n%s", box, page)
	}
	if len(pageFieldErrors(page)) != 0 || strings.Contains(page, `role="alert"`) {
		t.Errorf("a created token shows errors:\n%s", page)
	}
}

// htmlEscape escapes s as templ writes attribute values.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "'", "&#39;").Replace(s)
}

// TestWebAgentsNameTheirMonitors checks that each agent's row names the
// monitors that run on it, by name and linked, whether their locations
// give the agent's id or its name: five, the rest behind "and N more".
func TestWebAgentsNameTheirMonitors(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	web := ts.addAgent(t, "web-1")
	db := ts.addAgent(t, "db-1")
	ids := map[string]string{}
	for i, name := range []string{"g", "f", "e", "d", "c", "b", "a"} {
		loc := web.ID
		if i%2 == 1 {
			loc = "WEB-1" // by name, in another case
		}
		var m monitorOutput
		ts.call(t, tok, "POST", "/api/v1/monitors", map[string]any{"name": "port " + name, "type": "tcp",
			"target": "127.0.0.1:1", "locations": []string{loc, "server"}}, http.StatusCreated, &m)
		ids[name] = m.ID
	}
	var both monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", map[string]any{"name": "db <port>", "type": "tcp", "target": "127.0.0.1:2",
		"locations": []string{db.ID}}, http.StatusCreated, &both)
	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/agents")
	rows := regexp.MustCompile(`(?s)data-testid="agent-row" data-agent-id="([^"]+)".*?</tr>`).FindAllStringSubmatch(page, -1)
	link := regexp.MustCompile(`<a href="/monitors/([^"]+)">([^<]*)</a>`)
	more := regexp.MustCompile(`<summary>([^<]*)</summary>`)
	got := map[string]string{}
	for _, r := range rows {
		var parts []string
		for _, l := range link.FindAllStringSubmatch(r[0], -1) {
			parts = append(parts, l[1]+" "+l[2])
		}
		if m := more.FindStringSubmatch(r[0]); m != nil && strings.Contains(m[1], "more") {
			parts = append(parts, "("+m[1]+")")
		}
		got[r[1]] = strings.Join(parts, ", ")
	}
	wantWeb := []string{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		wantWeb = append(wantWeb, ids[n]+" port "+n)
	}
	want := map[string]string{
		web.ID: strings.Join(wantWeb, ", ") + ", (and 2 more)",
		db.ID:  both.ID + " db &lt;port&gt;",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("agent %s names %q, want %q", id, got[id], w)
		}
	}
	if !strings.Contains(page, `data-label="Monitors">7</td>`) {
		t.Error("web-1's row does not count its 7 monitors")
	}
}
