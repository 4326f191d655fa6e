package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/vigil-monitor/vigil/store"
)

// auditPageRow is what the audit page shows of one entry.
type auditPageRow struct {
	id, action, target string
	head               string            // the entry's line, words only
	link               string            // where its target links; "" for none
	diff               map[string]string // field → "before | after" (or the one value)
	changed            []string          // fields marked as changed
}

// readAuditPage parses an audit page: its rows and the id its "Older"
// link pages on from ("" without one).
func readAuditPage(t *testing.T, page string) (rows []auditPageRow, older string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	words := func(n *html.Node) string {
		var b strings.Builder
		for c := range n.Descendants() {
			if c.Type == html.TextNode {
				b.WriteString(c.Data + " ")
			}
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if attr(n, "data-testid") == "audit-older" {
			u, err := url.Parse(attr(n, "href"))
			if err != nil {
				t.Fatal(err)
			}
			older = u.Query().Get("before")
		}
		if attr(n, "data-testid") != "audit-row" {
			continue
		}
		r := auditPageRow{id: attr(n, "data-audit-id"), action: attr(n, "data-action"), target: attr(n, "data-target"), diff: map[string]string{}}
		for c := range n.Descendants() {
			switch {
			case c.Type != html.ElementNode:
			case attr(c, "class") == "audit-head":
				r.head = words(c)
			case attr(c, "data-testid") == "audit-target" && c.Data == "a":
				r.link = attr(c, "href")
			case c.Data == "tr" && attr(c, "data-field") != "":
				var cells []string
				for td := range c.Descendants() {
					if td.Type == html.ElementNode && td.Data == "td" {
						cells = append(cells, words(td))
					}
				}
				r.diff[attr(c, "data-field")] = strings.Join(cells, " | ")
				if attr(c, "class") == "changed" {
					r.changed = append(r.changed, attr(c, "data-field"))
				}
			}
		}
		rows = append(rows, r)
	}
	return rows, older
}

func actions(rows []auditPageRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.action+" "+r.target)
	}
	return out
}

// TestWebAuditRoles checks who may read the log in the UI: not viewers;
// editors, without the changes to users, tokens and SMTP settings;
// administrators, everything.
func TestWebAuditRoles(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	ts.addUser(t, "vera", roleViewer)
	ts.addUser(t, "ed", roleEditor)
	var m monitorOutput
	ts.call(t, admin, "POST", "/api/v1/monitors", map[string]any{"name": "Homepage", "type": "tcp", "target": "127.0.0.1:1", "interval": "1m"}, http.StatusCreated, &m)
	ts.call(t, admin, "PUT", "/api/v1/monitors/"+m.ID, map[string]any{"interval": "30s", "remind_every": "1h30m"}, http.StatusOK, nil)

	tests := []struct {
		user      string
		status    int
		wantUsers bool // the user.create entries show
	}{
		{"vera", http.StatusForbidden, false},
		{"ed", http.StatusOK, false},
		{"admin", http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			b := newBrowser(t, ts)
			b.loginAs(tt.user)
			resp, page := b.get("/audit")
			if resp.StatusCode != tt.status {
				t.Fatalf("GET /audit: status %d, want %d", resp.StatusCode, tt.status)
			}
			_, dash := b.get("/")
			if tt.status != http.StatusOK {
				if strings.Contains(dash, `href="/audit"`) {
					t.Error("the nav offers the audit log to a viewer")
				}
				return
			}
			rows, _ := readAuditPage(t, page)
			got := actions(rows)
			if want := []string{"monitor.update monitor:" + m.ID, "monitor.create monitor:" + m.ID}; !slices.Equal(got[:2], want) {
				t.Fatalf("entries %q, want newest first %q", got, want)
			}
			if has := slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "user.") }); has != tt.wantUsers {
				t.Errorf("entries %q: user changes shown %v, want %v", got, has, tt.wantUsers)
			}
			up := rows[0]
			if up.diff["interval"] != "1m | 30s" || up.diff["remind_every"] != "0s | 1h30m" || up.diff["name"] != "Homepage | Homepage" {
				t.Errorf("diff %v: want durations written as durations", up.diff)
			}
			if !slices.Contains(up.changed, "interval") || slices.Contains(up.changed, "name") {
				t.Errorf("changed fields %q: want interval marked, name not", up.changed)
			}
			if up.link != "/monitors/"+m.ID || !strings.Contains(up.head, "admin from 127.0.0.1 monitor.update Homepage monitor:"+m.ID) {
				t.Errorf("row %q links to %q", up.head, up.link)
			}
			if !strings.Contains(page, `href="/audit" aria-current="page"`) {
				t.Error("the audit page's nav does not mark Audit as the current page")
			}
			if hidden := strings.Contains(page, "shown to administrators only"); hidden == tt.wantUsers {
				t.Errorf("note about hidden entries shown %v, want %v", hidden, !tt.wantUsers)
			}
			if resp, _ := b.get("/audit?target=user:1"); resp.StatusCode != map[bool]int{true: 200, false: 403}[tt.wantUsers] {
				t.Errorf("a user's entries: status %d", resp.StatusCode)
			}
			t.Run("the nav and the monitor's page link to the log", func(t *testing.T) {
				_, mon := b.get("/monitors/" + m.ID)
				if !strings.Contains(dash, `href="/audit"`) {
					t.Error("the nav does not link to the audit log")
				}
				if !strings.Contains(mon, `href="/audit?target=monitor%3A`+m.ID+`"`) {
					t.Error("the monitor's page does not link to its audit entries")
				}
			})
		})
	}
}

// TestWebAuditFilterAndLinks checks the filter by record, who each entry
// names, and that a target links to its page only while it exists.
func TestWebAuditFilterAndLinks(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	var a, gone monitorOutput
	ts.call(t, admin, "POST", "/api/v1/monitors", map[string]any{"name": "Kept", "type": "tcp", "target": "127.0.0.1:1"}, http.StatusCreated, &a)
	ts.call(t, admin, "POST", "/api/v1/monitors", map[string]any{"name": "Gone", "type": "tcp", "target": "127.0.0.1:2"}, http.StatusCreated, &gone)
	ts.call(t, admin, "DELETE", "/api/v1/monitors/"+gone.ID, nil, http.StatusNoContent, nil)
	agent := ts.addAgent(t, "web-1")
	by := store.Actor{Username: "agent:web-1", IP: "192.0.2.9"}
	if err := ts.db.RecordAudit(by, "agent.update", "agent:"+agent.ID, agent, agent); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	b.login()

	tests := []struct {
		name     string
		query    string
		status   int
		want     []string // action and target of each row, newest first
		contains []string // in the page
	}{
		{"one monitor", "?target=monitor:" + a.ID, http.StatusOK, []string{"monitor.create monitor:" + a.ID},
			[]string{`href="/monitors/` + a.ID + `">monitor “Kept”</a>`, `href="/audit">Show all</a>`}},
		{"a monitor that is gone", "?target=monitor:" + gone.ID, http.StatusOK,
			[]string{"monitor.delete monitor:" + gone.ID, "monitor.create monitor:" + gone.ID}, []string{"monitor “Gone”"}},
		{"nothing about it", "?target=contact:99", http.StatusOK, nil, []string{"No changes recorded"}},
		{"not a record", "?target=monitor+3", http.StatusBadRequest, nil, []string{`data-testid="audit-error"`, `value="monitor 3"`}},
		{"not a page", "?before=abc", http.StatusBadRequest, nil, []string{"whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.get("/audit" + tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.status, page)
			}
			rows, _ := readAuditPage(t, page)
			if got := actions(rows); !slices.Equal(got, tt.want) {
				t.Errorf("entries %q, want %q", got, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
		})
	}

	t.Run("targets link while they exist; actors read as who they are", func(t *testing.T) {
		_, page := b.get("/audit")
		rows, _ := readAuditPage(t, page)
		byAction := map[string]auditPageRow{}
		for _, r := range rows {
			if _, seen := byAction[r.action+" "+r.target]; !seen {
				byAction[r.action+" "+r.target] = r
			}
		}
		tests := []struct{ key, link, head string }{
			{"agent.update agent:" + agent.ID, "/agents#agent-" + agent.ID, "agent web-1 from 192.0.2.9 agent.update web-1 agent:" + agent.ID},
			{"agent.create agent:" + agent.ID, "/agents#agent-" + agent.ID, "system Vigil agent.create web-1"},
			{"monitor.create monitor:" + a.ID, "/monitors/" + a.ID, "admin"},
			{"monitor.create monitor:" + gone.ID, "", "monitor.create Gone monitor:" + gone.ID},
			{"user.create user:1", "", "user.create admin user:1"},
		}
		for _, tt := range tests {
			r, ok := byAction[tt.key]
			if !ok {
				t.Errorf("no entry %s among %q", tt.key, actions(rows))
				continue
			}
			if r.link != tt.link || !strings.Contains(r.head, tt.head) {
				t.Errorf("%s: links to %q and reads %q; want %q and %q", tt.key, r.link, r.head, tt.link, tt.head)
			}
		}
	})
}

// TestWebAuditPaging walks a long log page by page: 100 to a page, newest
// first, each entry once; an editor's pages skip what they may not see
// and still fill up.
func TestWebAuditPaging(t *testing.T) {
	ts := newTestServer(t, true)
	ts.addUser(t, "ed", roleEditor)
	const monitorEntries, userEntries = 230, 260
	for i := range monitorEntries {
		if err := ts.db.RecordAudit(store.Actor{Username: "admin"}, "monitor.update", "monitor:"+strconv.Itoa(i%7+100), nil, map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
		if i == monitorEntries/2 {
			// A stretch an editor may not see, in the middle of the log.
			for j := range userEntries {
				if err := ts.db.RecordAudit(store.Actor{Username: "admin"}, "user.update", "user:1", nil, map[string]int{"n": j}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	all, err := ts.db.Audit(store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, e := range all {
		if !adminOnlyAudit(e.Target) {
			visible++
		}
	}
	if visible < monitorEntries || len(all)-visible < userEntries {
		t.Fatalf("%d entries, %d not about users: the log was not written", len(all), visible)
	}
	tests := []struct {
		user  string
		pages []int // rows on each page
	}{
		{"admin", pageSizes(len(all))},
		{"ed", pageSizes(visible)},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			b := newBrowser(t, ts)
			b.loginAs(tt.user)
			var sizes []int
			var ids []int
			for before, n := "", 0; n < 20; n++ {
				resp, page := b.get("/audit?before=" + before)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("page %d: status %d", n+1, resp.StatusCode)
				}
				rows, older := readAuditPage(t, page)
				sizes = append(sizes, len(rows))
				for _, r := range rows {
					id, _ := strconv.Atoi(r.id)
					ids = append(ids, id)
					if tt.user == "ed" && adminOnlyAudit(r.target) {
						t.Errorf("an editor sees %s %s", r.action, r.target)
					}
				}
				if older == "" {
					break
				}
				before = older
			}
			if !slices.Equal(sizes, tt.pages) {
				t.Errorf("rows per page %v, want %v", sizes, tt.pages)
			}
			if !slices.IsSortedFunc(ids, func(a, b int) int { return b - a }) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
				t.Errorf("ids are not newest first, each once: %v", ids)
			}
		})
	}
}

// pageSizes is how n entries fill pages of auditPageSize.
func pageSizes(n int) []int {
	var out []int
	for ; n > auditPageSize; n -= auditPageSize {
		out = append(out, auditPageSize)
	}
	return append(out, n)
}
