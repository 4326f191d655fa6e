package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

func sampleAudit() AuditProps {
	return AuditProps{
		Page:  page("Audit log", "audit"),
		Older: "412",
		Entries: []AuditRow{
			{ID: "520", At: now.Add(-time.Minute), Actor: "alice", ActorKind: "user", IP: "192.0.2.7", Action: "monitor.update",
				Target: "monitor:3", TargetName: "Homepage <www>", TargetURL: "/monitors/3", Kind: "update", Changes: []AuditChange{
					{Field: "name", Before: "Homepage <www>", After: "Homepage <www>", HasBefore: true, HasAfter: true},
					{Field: "interval", Before: "1m", After: "30s", HasBefore: true, HasAfter: true, Changed: true},
					{Field: "settings.expected_status", Before: `["200"]`, After: `["200", "204"]`, HasBefore: true, HasAfter: true, Changed: true},
					{Field: "settings.password", Before: "(set)", After: "(set)", HasBefore: true, HasAfter: true},
					{Field: "settings.body_contains", Before: strings.Repeat("x", 120), HasBefore: true, Changed: true},
					{Field: "updated_at", Before: "2026-11-23T10:00:00Z", After: "2026-11-23T11:59:00Z", HasBefore: true, HasAfter: true, Changed: true},
				}},
			{ID: "519", At: now.Add(-2 * time.Minute), Actor: "web-1", ActorKind: "agent", IP: "192.0.2.10", Action: "agent.update",
				Target: "agent:1", TargetName: "web-1", TargetURL: "/agents#agent-1", Kind: "update", Changes: []AuditChange{
					{Field: "version", Before: "v0.1.0", After: "v0.2.0", HasBefore: true, HasAfter: true, Changed: true},
				}},
			{ID: "518", At: now.Add(-3 * time.Minute), Actor: "Ops mail (email link)", ActorKind: "contact", IP: "198.51.100.4",
				Action: "incident.ack", Target: "incident:9", TargetURL: "/incidents/9", Kind: "update"},
			{ID: "517", At: now.Add(-time.Hour), Actor: "bob", ActorKind: "user", Action: "contact.create", Target: "contact:2",
				TargetName: "Ops mail", TargetURL: "/contacts/2/edit", Kind: "create", Changes: []AuditChange{
					{Field: "name", After: "Ops mail", HasAfter: true, Changed: true},
					{Field: "settings.to", After: "ops@example.com", HasAfter: true, Changed: true},
				}},
			{ID: "516", At: now.Add(-2 * time.Hour), Actor: "bob", ActorKind: "user", Action: "monitor.delete", Target: "monitor:2",
				TargetName: "Old check", Kind: "delete", Truncated: true, Changes: []AuditChange{
					{Field: "name", Before: "Old check", HasBefore: true, Changed: true},
				}},
			{ID: "515", At: now.Add(-3 * time.Hour), Actor: "Vigil", ActorKind: "system", Action: "user.create", Target: "user:1",
				TargetName: "admin", Kind: "create"},
		},
	}
}

func auditCases() []pageCase {
	filtered := sampleAudit()
	filtered.Target, filtered.TargetName, filtered.TargetURL = "monitor:3", "Homepage <www>", "/monitors/3"
	filtered.Entries, filtered.Older, filtered.Paged, filtered.Hidden = filtered.Entries[:1], "", true, true
	refused := AuditProps{Page: page("Audit log", "audit"), Target: "monitor 3",
		Error: "A record is written as its kind and id, like monitor:3 or contact:2; “monitor 3” is not."}
	return []pageCase{
		{"audit", AuditPage(sampleAudit()), map[string]int{"audit": 1, "audit-row": 6, "audit-diff": 4, "audit-filter": 1,
			"audit-older": 1, "audit-pager": 1, "audit-error": 0, "audit-target": 6, "logout": 1}},
		{"audit_filtered", AuditPage(filtered), map[string]int{"audit-row": 1, "audit-diff": 1, "audit-older": 0, "audit-pager": 1}},
		{"audit_refused", AuditPage(refused), map[string]int{"audit-row": 0, "audit-error": 1, "audit-pager": 0}},
	}
}

func TestAuditGolden(t *testing.T) {
	for _, tc := range auditCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.comp)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test -update to create): %v", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from %s; run go test ./ui -update and review the diff", tc.name, path)
			}
		})
	}
}

func TestAuditTestIDs(t *testing.T) {
	for _, tc := range auditCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for id, want := range tc.testIDs {
				if got := len(findAll(doc, byTestID(id))); got != want {
					t.Errorf("data-testid=%q appears %d times, want %d", id, got, want)
				}
			}
		})
	}
}

// TestAuditRows checks what each entry says: who in words, the target
// linked only when it has a page, the diff's summary, and which of its
// rows are marked as changed.
func TestAuditRows(t *testing.T) {
	doc := parse(t, render(t, AuditPage(sampleAudit())))
	type row struct{ head, link, summary, changed string }
	var got []row
	for _, li := range findAll(doc, byTestID("audit-row")) {
		var r row
		heads := findAll(li, func(n *html.Node) bool { c, _ := attr(n, "class"); return c == "audit-head" })
		r.head = strings.Join(strings.Fields(text(heads[0])), " ")
		for _, a := range findAll(li, func(n *html.Node) bool { return n.Data == "a" }) {
			r.link, _ = attr(a, "href")
		}
		for _, s := range findAll(li, func(n *html.Node) bool { return n.Data == "summary" }) {
			r.summary = text(s)
		}
		var changed []string
		for _, tr := range findAll(li, func(n *html.Node) bool { c, _ := attr(n, "class"); return n.Data == "tr" && c == "changed" }) {
			f, _ := attr(tr, "data-field")
			changed = append(changed, f)
		}
		r.changed = strings.Join(changed, ",")
		got = append(got, r)
	}
	want := []row{
		{"2026-11-23 11:59:00 UTC alice from 192.0.2.7 monitor.update Homepage <www> monitor:3", "/monitors/3",
			"Changed interval, settings.expected_status, settings.body_contains", "interval,settings.expected_status,settings.body_contains,updated_at"},
		{"2026-11-23 11:58:00 UTC agent web-1 from 192.0.2.10 agent.update web-1 agent:1", "/agents#agent-1", "Changed version", "version"},
		{"2026-11-23 11:57:00 UTC contact Ops mail (email link) from 198.51.100.4 incident.ack incident:9", "/incidents/9", "", ""},
		{"2026-11-23 11:00:00 UTC bob contact.create Ops mail contact:2", "/contacts/2/edit", "Show the new record", ""},
		{"2026-11-23 10:00:00 UTC bob monitor.delete Old check monitor:2", "", "Show the removed record", ""},
		{"2026-11-23 09:00:00 UTC system Vigil user.create admin user:1", "", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestAuditSummary(t *testing.T) {
	changed := func(fields ...string) []AuditChange {
		var out []AuditChange
		for _, f := range fields {
			out = append(out, AuditChange{Field: f, Changed: true})
		}
		return out
	}
	tests := []struct {
		name string
		row  AuditRow
		want string
	}{
		{"create", AuditRow{Kind: "create"}, "Show the new record"},
		{"delete", AuditRow{Kind: "delete"}, "Show the removed record"},
		{"only the time", AuditRow{Kind: "update", Changes: changed("updated_at")}, "No field changed"},
		{"two", AuditRow{Kind: "update", Changes: append(changed("paused"), AuditChange{Field: "name"})}, "Changed paused"},
		{"many", AuditRow{Kind: "update", Changes: changed("a", "b", "c", "d", "e", "f")}, "Changed a, b, c, d and 2 more fields"},
		{"five", AuditRow{Kind: "update", Changes: changed("a", "b", "c", "d", "e")}, "Changed a, b, c, d and 1 more field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auditSummary(tt.row); got != tt.want {
				t.Errorf("auditSummary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAuditURL(t *testing.T) {
	tests := []struct{ target, before, want string }{
		{"", "", "/audit"},
		{"monitor:3", "", "/audit?target=monitor%3A3"},
		{"", "12", "/audit?before=12"},
		{"contact:2", "9", "/audit?before=9&target=contact%3A2"},
		{"a&b=c", "", "/audit?target=a%26b%3Dc"},
	}
	for _, tt := range tests {
		if got := auditURL(tt.target, tt.before); got != tt.want {
			t.Errorf("auditURL(%q, %q) = %q, want %q", tt.target, tt.before, got, tt.want)
		}
	}
}

// TestAuditLinks checks that the nav's "Audit" item and a monitor's
// "Audit log" button appear only where the server says the user may read
// the log.
func TestAuditLinks(t *testing.T) {
	tests := []struct {
		name  string
		comp  templ.Component
		links bool
		want  []string // hrefs of audit links
	}{
		{"dashboard, viewer", DashboardPage(sampleDashboard()), false, nil},
		{"dashboard, editor", DashboardPage(sampleDashboard()), true, []string{"/audit"}},
		{"monitor, viewer", MonitorPage(sampleMonitor()), false, nil},
		{"monitor, editor", MonitorPage(sampleMonitor()), true, []string{"/audit", "/audit?target=monitor%3Am1"}},
		{"audit page", AuditPage(sampleAudit()), true, []string{"/audit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := WithNow(context.Background(), now)
			if tt.links {
				ctx = WithAuditLinks(ctx)
			}
			var buf bytes.Buffer
			if err := tt.comp.Render(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			doc := parse(t, buf.String())
			var got []string
			for _, a := range findAll(doc, func(n *html.Node) bool { return n.Data == "a" }) {
				href, _ := attr(a, "href")
				if href == "/audit" || strings.HasPrefix(href, "/audit?target=") {
					got = append(got, href)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("audit links %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAuditValuesShowWhatTheyHold checks that a file path or symlink
// target shows a newline or a right-to-left override escaped, as one
// name, while a multi-line value (a body template, a note) keeps its
// lines and escapes only what would hide.
func TestAuditValuesShowWhatTheyHold(t *testing.T) {
	row := AuditRow{ID: "600", At: now, Actor: "alice\u202e", ActorKind: "user", Action: "fim_change.accept",
		Target: "fim_policy:1", Kind: "create", Changes: []AuditChange{
			{Field: "changes[4].path", After: "/srv/new\nline", HasAfter: true, Changed: true},
			{Field: "after.target", After: "/srv/exe\u202etxt.sh", HasAfter: true, Changed: true},
			{Field: "path", After: "/srv/tab\there", HasAfter: true, Changed: true},
			{Field: "note", After: "patch day\nticket OPS-1\x1b", HasAfter: true, Changed: true},
			{Field: "settings.body_template", After: "{\n\t\"a\": 1\n}", HasAfter: true, Changed: true},
			{Field: "paths_note", After: "a\nb", HasAfter: true, Changed: true},
		}}
	doc := parse(t, render(t, AuditPage(AuditProps{Page: page("Audit log", "audit"), Entries: []AuditRow{row}})))
	want := map[string]string{
		"changes[4].path":        `/srv/new\nline`,
		"after.target":           `/srv/exe\u202etxt.sh`,
		"path":                   `/srv/tab\there`,
		"note":                   "patch day\nticket OPS-1\\x1b",
		"settings.body_template": "{\n\t\"a\": 1\n}",
		"paths_note":             "a\nb",
	}
	if actor := findAll(doc, func(n *html.Node) bool { return n.Data == "strong" && text(n) == `alice\u202e` }); len(actor) != 1 {
		t.Errorf("the actor is not shown escaped, as alice\\u202e")
	}
	rows := findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "data-field"); return ok && n.Data == "tr" })
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, tr := range rows {
		field, _ := attr(tr, "data-field")
		cells := findAll(tr, func(n *html.Node) bool { return n.Data == "td" })
		if len(cells) != 1 {
			t.Fatalf("%s: %d cells, want 1", field, len(cells))
		}
		if got := strings.TrimSpace(text(cells[0])); got != want[field] {
			t.Errorf("%s shows %q, want %q", field, got, want[field])
		}
	}
}

func TestAuditLastSegment(t *testing.T) {
	tests := []struct{ field, want string }{
		{"path", "path"},
		{"changes[4].path", "path"},
		{"after.target", "target"},
		{"steps[2]", "steps"},
		{"settings.oids[0].oid", "oid"},
		{"paths", "paths"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := auditLastSegment(tt.field); got != tt.want {
			t.Errorf("auditLastSegment(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}
