package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func sampleFIMAttrs() []Option {
	var out []Option
	for _, a := range []string{"type", "sha256", "size", "mode", "uid", "gid", "mtime", "inode", "target"} {
		out = append(out, Option{Value: a, Label: a})
	}
	return out
}

func sampleFIMPolicies() FIMPoliciesProps {
	return FIMPoliciesProps{
		Page:    page("File integrity", "fim"),
		CanEdit: true,
		Policies: []FIMPolicyRow{
			{ID: "1", Name: "System binaries", Agents: []string{"label:role=web", "db-1"}, Resolved: 3,
				Paths: []string{"/usr/bin", "/usr/sbin", "/bin", "/sbin"}, Interval: "1h", Objects: 123456,
				LastScan: now.Add(-20 * time.Minute), Open: FIMCounts{Critical: 1, Medium: 2}},
			{ID: "2", Name: "Web root <www>", Agents: []string{"web-1"}, Resolved: 1, Paths: []string{"/var/www"},
				Interval: "5m", Objects: 812, Scanning: 1},
		},
		Stock: []Option{{Value: "linux-binaries", Label: "Linux system binaries"}, {Value: "etc", Label: "/etc"}},
		Form: FIMPolicyForm{Name: "", Agents: "web-9", Paths: "var/www", Interval: "10s", Attributes: []string{"sha256", "mode"},
			Severity: "/etc/shadow urgent", Errors: map[string]string{
				"name":     "Name: a policy needs a name",
				"agents":   `Agents: no agent is named "web-9"`,
				"paths":    `Paths, line 1: "var/www" is not an absolute path`,
				"interval": "Scan every: at least 1m",
				"severity": "Severity rules, line 1: the severity is low, medium, high or critical",
			}},
		Attrs:     sampleFIMAttrs(),
		AgentHint: "Agents now: web-1, db-1; labels: role=web.",
	}
}

func sampleFIMPolicy() FIMPolicyProps {
	return FIMPolicyProps{
		Page:    page("Web root", "fim"),
		CanEdit: true,
		Policy: FIMPolicyRow{ID: "2", Name: "Web root", Agents: []string{"web-1", "label:role=web"}, Resolved: 3,
			Paths: []string{"/var/www", "/srv/app"}, Interval: "1h"},
		Exclude:       []string{"/var/www/cache/**"},
		Attributes:    []string{"type", "sha256", "size", "mode"},
		Severity:      []FIMSeverityRule{{Pattern: "/var/www/*.php", Severity: "critical"}, {Pattern: "/srv/app/**", Severity: "low"}},
		Revision:      "0123456789abcdef0123",
		UpdatedAt:     now.Add(-48 * time.Hour),
		AcceptThrough: "57",
		Agents: []FIMAgentRow{
			{AgentID: "1", AgentName: "web-1", Objects: 40000, Bytes: 3 << 30, BaselineAt: now.Add(-47 * time.Hour),
				LastScanAt: now.Add(-50 * time.Minute), Open: FIMCounts{Critical: 1, Low: 4},
				Scan:   &FIMScanProgress{Objects: 12345, Bytes: 700 << 20, ObjectsPerSec: 3400, BytesPerSec: 120 << 20, Expected: 40000, StartedAt: now.Add(-4 * time.Second)},
				Errors: []FIMScanError{{Path: "/var/www/private", Error: "permission denied"}}, ErrorCount: 3,
				Notices: []string{"policy \"Web root\": no scan finished since 2026-11-20T08:00:00Z"}},
			{AgentID: "3", AgentName: "web-2",
				Scan: &FIMScanProgress{Objects: 812, Bytes: 5 << 20, ObjectsPerSec: 400, BytesPerSec: 2 << 20, StartedAt: now.Add(-2 * time.Second)}},
			{AgentID: "4", AgentName: "web-3", Objects: 39990, Bytes: 3 << 30, BaselineAt: now.Add(-47 * time.Hour), LastScanAt: now.Add(-3 * time.Minute)},
		},
		Form: FIMPolicyForm{ID: "2", Name: "Web root", Agents: "web-1, label:role=web", Paths: "/var/www\n/srv/app",
			Exclude: "/var/www/cache/**", Interval: "1h", Attributes: []string{"type", "sha256", "size", "mode"},
			Severity: "/var/www/*.php critical\n/srv/app/** low", IOLimitMBps: "50"},
		Attrs: sampleFIMAttrs(),
	}
}

// sampleFIMPolicyPending is the policy with no scan running but two
// about to start: web-2 has no baseline yet, web-3 was asked to scan.
func sampleFIMPolicyPending() FIMPolicyProps {
	p := sampleFIMPolicy()
	for i := range p.Agents {
		p.Agents[i].Scan = nil
	}
	p.Agents[1].ScanPending = true
	p.Agents[2].ScanPending = true
	return p
}

func sampleFIMChanges() FIMChangesProps {
	mt := time.Date(2026, 11, 23, 11, 58, 7, 0, time.UTC)
	before := &FIMObject{Type: "file", SHA256: strings.Repeat("ab", 32), Size: 1536, Mode: 0o644, UID: 0, GID: 0, MTime: mt.Add(-time.Hour), Inode: 1201}
	after := &FIMObject{Type: "file", SHA256: strings.Repeat("cd", 32), Size: 2048, Mode: 0o4755, UID: 0, GID: 33, MTime: mt, Inode: 1201}
	link := &FIMObject{Type: "symlink", Mode: 0o777, MTime: mt, Inode: 99, Target: "/etc/alternatives/php"}
	link2 := *link
	link2.Target = "/tmp/evil"
	return FIMChangesProps{
		Page:     page("Changes", "fim"),
		CanEdit:  true,
		Filter:   FIMChangeFilter{Policy: "2", State: "all"},
		Policies: []Option{{Value: "1", Label: "System binaries"}, {Value: "2", Label: "Web root"}},
		Agents:   []Option{{Value: "1", Label: "web-1"}},
		Changes: []FIMChangeRow{
			{ID: "c4", PolicyID: "2", PolicyName: "Web root", AgentID: "1", AgentName: "web-1", Path: "/var/www/index.php", Kind: "modified",
				Attrs: []string{"sha256", "size", "mode", "gid", "mtime"}, Severity: "critical", Before: before, After: after, DetectedAt: now.Add(-2 * time.Minute)},
			{ID: "c3", PolicyID: "2", PolicyName: "Web root", AgentID: "1", AgentName: "web-1", Path: "/var/www/new dir", Kind: "added",
				Severity: "medium", After: &FIMObject{Type: "dir", Mode: 0o755, MTime: mt, Inode: 5}, DetectedAt: now.Add(-2 * time.Minute)},
			{ID: "c2", PolicyID: "2", PolicyName: "Web root", AgentID: "1", AgentName: "web-1", Path: "/var/www/php", Kind: "modified",
				Attrs: []string{"target"}, Severity: "high", Before: link, After: &link2, DetectedAt: now.Add(-2 * time.Minute)},
			{ID: "c1", PolicyID: "2", PolicyName: "Web root", AgentID: "1", AgentName: "web-1", Path: "/var/www/old.html", Kind: "removed",
				Severity: "low", Before: before, DetectedAt: now.Add(-26 * time.Hour),
				AcceptedAt: now.Add(-25 * time.Hour), AcceptedBy: "alice", Note: "cleanup, OPS-7"},
		},
		Older: "c1",
	}
}

func fimCases() []pageCase {
	viewer := sampleFIMPolicies()
	viewer.CanEdit = false
	empty := sampleFIMPolicies()
	empty.Policies, empty.Form = nil, FIMPolicyForm{Attributes: []string{"type"}}
	idle := sampleFIMPolicy()
	for i := range idle.Agents {
		idle.Agents[i].Scan = nil
	}
	refused := sampleFIMChanges()
	refused.Note, refused.Selected = "", []string{"c3"}
	refused.AcceptErrors = map[string]string{"note": "Note: say why these changes are expected"}
	none := sampleFIMChanges()
	none.Changes, none.Older, none.Filter = nil, "", FIMChangeFilter{}
	return []pageCase{
		{"fim_policies", FIMPoliciesPage(sampleFIMPolicies()), map[string]int{"fim-policies": 1, "fim-policy-row": 2, "fim-policy-form": 1,
			"fim-stock-form": 1, "field-error": 5, "fim-open": 2, "logout": 1}},
		{"fim_policies_viewer", FIMPoliciesPage(viewer), map[string]int{"fim-policy-row": 2, "fim-policy-form": 0, "fim-stock-form": 0}},
		{"fim_policies_empty", FIMPoliciesPage(empty), map[string]int{"fim-policy-row": 0, "fim-policy-form": 1, "field-error": 0}},
		{"fim_policy", FIMPolicyPage(sampleFIMPolicy()), map[string]int{"fim-policy": 1, "fim-agent-row": 3, "fim-progress": 2,
			"fim-scan-errors": 1, "fim-scan-now": 1, "fim-accept-all-form": 1, "fim-edit": 1, "fim-policy-form": 1}},
		{"fim_policy_idle", FIMPolicyPage(idle), map[string]int{"fim-agent-row": 3, "fim-progress": 0, "fim-pending": 0}},
		{"fim_policy_pending", FIMPolicyPage(sampleFIMPolicyPending()), map[string]int{"fim-agent-row": 3, "fim-progress": 0, "fim-pending": 2}},
		{"fim_changes", FIMChangesPage(sampleFIMChanges()), map[string]int{"fim-changes": 1, "fim-change": 4, "fim-diff": 4,
			"fim-accept-form": 1, "fim-accepted": 1, "fim-pager": 1}},
		{"fim_changes_refused", FIMChangesPage(refused), map[string]int{"fim-change": 4, "field-error": 1, "fim-accept-form": 1}},
		{"fim_changes_none", FIMChangesPage(none), map[string]int{"fim-change": 0, "fim-accept-form": 0, "fim-pager": 0}},
	}
}

func TestFIMGolden(t *testing.T) {
	for _, tc := range fimCases() {
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

func TestFIMTestIDsAndCSRF(t *testing.T) {
	for _, tc := range fimCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for id, want := range tc.testIDs {
				if got := len(findAll(doc, byTestID(id))); got != want {
					t.Errorf("data-testid=%q appears %d times, want %d", id, got, want)
				}
			}
			for _, f := range findAll(doc, func(n *html.Node) bool { m, _ := attr(n, "method"); return n.Data == "form" && m == "post" }) {
				csrf := findAll(f, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "csrf" })
				if len(csrf) != 1 {
					action, _ := attr(f, "action")
					t.Errorf("form %s has %d csrf inputs, want 1", action, len(csrf))
				}
			}
		})
	}
}

// TestFIMChangeDiff checks the before/after table of each kind of change:
// which attributes show, which are marked changed, and how they read.
func TestFIMChangeDiff(t *testing.T) {
	doc := parse(t, render(t, FIMChangesPage(sampleFIMChanges())))
	changes := findAll(doc, byTestID("fim-change"))
	type row struct{ before, after string }
	read := func(li *html.Node) (map[string]row, []string, int) {
		rows := map[string]row{}
		var changed []string
		cols := len(findAll(li, func(n *html.Node) bool { return n.Data == "th" && n.Parent.Parent.Data == "thead" }))
		for _, tr := range findAll(li, func(n *html.Node) bool { _, ok := attr(n, "data-attr"); return n.Data == "tr" && ok }) {
			name, _ := attr(tr, "data-attr")
			var vals []string
			for _, td := range findAll(tr, func(n *html.Node) bool { return n.Data == "td" }) {
				vals = append(vals, text(td))
			}
			r := row{}
			if len(vals) > 0 {
				r.before = vals[0]
			}
			if len(vals) > 1 {
				r.after = vals[1]
			}
			rows[name] = r
			if c, _ := attr(tr, "class"); c == "changed" {
				changed = append(changed, name)
			}
		}
		return rows, changed, cols
	}
	rows, changed, cols := read(changes[0])
	if got := strings.Join(changed, ","); got != "sha256,size,mode,gid,mtime" || cols != 3 {
		t.Errorf("modified file: changed rows %q in %d columns, want sha256,size,mode,gid,mtime in 3", got, cols)
	}
	if rows["mode"] != (row{"0644 (-rw-r--r--)", "4755 (-rwsr-xr-x)"}) {
		t.Errorf("mode row %+v", rows["mode"])
	}
	if rows["size"] != (row{"1.5 KiB (1,536 bytes)", "2.0 KiB (2,048 bytes)"}) {
		t.Errorf("size row %+v", rows["size"])
	}
	if rows["mtime"].after != "2026-11-23 11:58:07 UTC" {
		t.Errorf("mtime %q", rows["mtime"].after)
	}
	if _, ok := rows["target"]; ok {
		t.Error("a regular file shows a symlink target row")
	}
	rows, changed, cols = read(changes[1])
	if len(changed) != 0 || cols != 2 || rows["mode"].before != "0755 (drwxr-xr-x)" {
		t.Errorf("added dir: changed %v, %d columns, mode %q", changed, cols, rows["mode"].before)
	}
	rows, changed, _ = read(changes[2])
	if strings.Join(changed, ",") != "target" || rows["target"] != (row{"/etc/alternatives/php", "/tmp/evil"}) {
		t.Errorf("symlink retarget: changed %v, target %+v", changed, rows["target"])
	}
	if got := text(findAll(changes[3], byTestID("fim-accepted"))[0]); !strings.Contains(got, "alice") || !strings.Contains(got, "cleanup, OPS-7") {
		t.Errorf("accepted change says %q", got)
	}
	if boxes := findAll(changes[3], func(n *html.Node) bool { return n.Data == "input" }); len(boxes) != 0 {
		t.Error("an accepted change can be selected again")
	}
}

// TestFIMAcceptForm checks that the change checkboxes belong to the
// acceptance form and that "all shown" carries every open change shown.
func TestFIMAcceptForm(t *testing.T) {
	doc := parse(t, render(t, FIMChangesPage(sampleFIMChanges())))
	boxes := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "id" })
	if len(boxes) != 3 {
		t.Fatalf("%d change checkboxes, want 3 (the open ones)", len(boxes))
	}
	for _, b := range boxes {
		if f, _ := attr(b, "form"); f != "fim-accept" {
			t.Errorf("checkbox belongs to form %q", f)
		}
	}
	shown := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "shown" })
	var ids []string
	for _, s := range shown {
		v, _ := attr(s, "value")
		ids = append(ids, v)
	}
	if strings.Join(ids, ",") != "c4,c3,c2" {
		t.Errorf("all shown carries %v, want c4,c3,c2", ids)
	}
}

func TestFIMMode(t *testing.T) {
	cases := []struct {
		typ  string
		mode uint32
		want string
	}{
		{"file", 0o644, "0644 (-rw-r--r--)"},
		{"dir", 0o1777, "1777 (drwxrwxrwt)"},
		{"file", 0o2750, "2750 (-rwxr-s---)"},
		{"file", 0o4644, "4644 (-rwSr--r--)"},
		{"symlink", 0o777, "0777 (lrwxrwxrwx)"},
		{"other", 0o600, "0600 (?rw-------)"},
		{"file", 0o1000, "1000 (---------T)"},
	}
	for _, tc := range cases {
		if got := fimMode(tc.typ, tc.mode); got != tc.want {
			t.Errorf("fimMode(%s, %o) = %q, want %q", tc.typ, tc.mode, got, tc.want)
		}
	}
}

func TestFIMFormats(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 100000: "100,000"} {
		if got := fmtCount(n); got != want {
			t.Errorf("fmtCount(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 bytes", 1: "1 byte", 1023: "1,023 bytes", 1 << 30: "1.0 GiB (1,073,741,824 bytes)"} {
		if got := fimSize(n); got != want {
			t.Errorf("fimSize(%d) = %q, want %q", n, got, want)
		}
	}
	progress := []struct {
		p    FIMScanProgress
		want string
	}{
		{FIMScanProgress{Objects: 12345, Bytes: 700 << 20, Expected: 40000, ObjectsPerSec: 3400, BytesPerSec: 120 << 20},
			"12,345 of about 40,000 objects (31%) · 700.0 MiB hashed · 3,400 objects/s, 120.0 MiB/s"},
		{FIMScanProgress{Objects: 50000, Expected: 40000}, "50,000 of about 40,000 objects (100%) · 0 bytes hashed"},
		{FIMScanProgress{Objects: 1, Errors: 2}, "Baseline: 1 object so far · 0 bytes hashed · 2 errors"},
		{FIMScanProgress{Bytes: 3 << 20, BytesPerSec: 1 << 20}, "Baseline: 0 objects so far · 3.0 MiB hashed · 1.0 MiB/s"},
	}
	for _, tc := range progress {
		if got := fimProgressText(tc.p); got != tc.want {
			t.Errorf("fimProgressText(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
	if got := fimChangesURL(FIMChangeFilter{Policy: "2", Path: "a b", State: "open"}, "c9"); got != "/fim/changes?before=c9&path=a+b&policy=2&state=open" {
		t.Errorf("fimChangesURL = %q", got)
	}
}

// TestFIMProgressBar checks the bar: determinate towards the previous
// scan's count, indeterminate (no value) for a baseline, and the agents
// card refreshing faster while a scan runs.
func TestFIMProgressBar(t *testing.T) {
	doc := parse(t, render(t, FIMPolicyPage(sampleFIMPolicy())))
	bars := findAll(doc, func(n *html.Node) bool { return n.Data == "progress" })
	if len(bars) != 2 {
		t.Fatalf("%d progress bars, want 2", len(bars))
	}
	if v, _ := attr(bars[0], "value"); v != "12345" {
		t.Errorf("first bar value %q, want 12345", v)
	}
	if m, _ := attr(bars[0], "max"); m != "40000" {
		t.Errorf("first bar max %q, want 40000", m)
	}
	if _, ok := attr(bars[1], "value"); ok {
		t.Error("a baseline's bar has a value: it should be indeterminate")
	}
	card := findAll(doc, byTestID("fim-agents"))[0]
	if tr, _ := attr(card, "hx-trigger"); tr != "every 2s" {
		t.Errorf("agents card refreshes %q while scanning, want every 2s", tr)
	}
}

// TestFIMRefresh checks how often the agents card refreshes: often while
// a scan runs, is about to start or has just ended, so a scan shorter
// than the slow refresh is seen; slowly otherwise.
func TestFIMRefresh(t *testing.T) {
	for _, tc := range []struct {
		name   string
		agents []FIMAgentRow
		want   string
	}{
		{"no agents", nil, "every 10s"},
		{"idle", []FIMAgentRow{{AgentID: "1"}, {AgentID: "2"}}, "every 10s"},
		{"scanning", []FIMAgentRow{{AgentID: "1"}, {AgentID: "2", Scan: &FIMScanProgress{Objects: 1}}}, "every 2s"},
		{"scan requested or no baseline", []FIMAgentRow{{AgentID: "1", ScanPending: true}}, "every 2s"},
		{"scan just ended", []FIMAgentRow{{AgentID: "1"}, {AgentID: "2", ScanRecent: true}}, "every 2s"},
	} {
		if got := fimRefresh(tc.agents); got != tc.want {
			t.Errorf("%s: fimRefresh = %q, want %q", tc.name, got, tc.want)
		}
	}
	doc := parse(t, render(t, FIMPolicyPage(sampleFIMPolicyPending())))
	if tr, _ := attr(findAll(doc, byTestID("fim-agents"))[0], "hx-trigger"); tr != "every 2s" {
		t.Errorf("agents card refreshes %q while a scan is pending, want every 2s", tr)
	}
	texts := findAll(doc, byTestID("fim-pending"))
	if len(texts) != 2 || !strings.Contains(text(texts[0]), "baseline starts") || !strings.Contains(text(texts[1]), "Scan requested") {
		t.Errorf("pending scans are not explained: %d notes", len(texts))
	}
}

func TestShownTextKeepsLines(t *testing.T) {
	if got, want := shownText("line 1\n\tline 2\u202e\x1b"), "line 1\n\tline 2\\u202e\\x1b"; got != want {
		t.Errorf("shownText = %q, want %q", got, want)
	}
}

func TestShownNameEscapesWhatWouldHide(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/passwd":               "/etc/passwd",
		"/srv/www/données/é.html":   "/srv/www/données/é.html",
		"/tmp/line\nbreak":          `/tmp/line\nbreak`,
		"/tmp/esc\x1b[31mred":       `/tmp/esc\x1b[31mred`,
		"/tmp/invoice\u202etxt.exe": `/tmp/invoice\u202etxt.exe`,
		"/tmp/zero\u200bwidth":      `/tmp/zero\u200bwidth`,
		`/tmp/bad\xffname`:          `/tmp/bad\xffname`, // as the agent escaped it
	} {
		if got := shownName(in); got != want {
			t.Errorf("shownName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFIMPolicyEditButton checks that the policy page's Edit button opens
// the edit form without JavaScript (a link to ?edit=1#edit, whose page has
// the form open), that the page loads fim.js to open it in place, and that
// a viewer has neither.
func TestFIMPolicyEditButton(t *testing.T) {
	errs := sampleFIMPolicy()
	errs.Form.Errors = map[string]string{"name": "Name is required"}
	asked := sampleFIMPolicy()
	asked.EditOpen = true
	viewer := sampleFIMPolicy()
	viewer.CanEdit, viewer.EditOpen = false, true
	tests := []struct {
		name       string
		p          FIMPolicyProps
		open, edit bool // the form open; the button and script there
	}{
		{"plain", sampleFIMPolicy(), false, true},
		{"asked with ?edit=1", asked, true, true},
		{"refused form", errs, true, true},
		{"viewer", viewer, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, render(t, FIMPolicyPage(tt.p)))
			links := findAll(doc, byTestID("fim-edit-link"))
			scripts := findAll(doc, func(n *html.Node) bool {
				src, _ := attr(n, "src")
				return n.Data == "script" && src == StaticPath("fim.js")
			})
			if !tt.edit {
				if len(links)+len(scripts)+len(findAll(doc, byTestID("fim-edit"))) != 0 {
					t.Errorf("a viewer's page has the Edit button, the form or fim.js")
				}
				return
			}
			if len(links) != 1 || len(scripts) != 1 {
				t.Fatalf("%d Edit buttons, %d fim.js scripts; want 1 each", len(links), len(scripts))
			}
			if href, _ := attr(links[0], "href"); href != "/fim/policies/2?edit=1#edit" {
				t.Errorf("Edit links to %q, want /fim/policies/2?edit=1#edit", href)
			}
			if _, ok := attr(links[0], "data-fim-edit"); !ok {
				t.Error("the Edit button lacks data-fim-edit, which fim.js looks for")
			}
			details := findAll(doc, byTestID("fim-edit"))
			if len(details) != 1 {
				t.Fatalf("%d edit forms, want 1", len(details))
			}
			if _, open := attr(details[0], "open"); open != tt.open {
				t.Errorf("edit form open %v, want %v", open, tt.open)
			}
			// The link's fragment lands on the card holding the form.
			card := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "edit" })
			if len(card) != 1 || len(findAll(card[0], byTestID("fim-edit"))) != 1 {
				t.Error("#edit is not the card holding the edit form")
			}
		})
	}
}

// TestFIMMonitorPage checks a file-integrity monitor's page: no timeout,
// latency or response-time chart (its results have none), in the page or
// its live summary, the status timeline kept, and a link to the host's
// changes; the same props without NoLatency show them all.
func TestFIMMonitorPage(t *testing.T) {
	fimMon := func(noLatency bool) MonitorProps {
		p := sampleMonitor()
		p.Page = page("File integrity · web-1", "fim")
		p.Monitor.Type, p.Monitor.Target, p.Timeout = "fim", "web-1", "10s"
		p.Locations = []string{"web-1"}
		p.PerLocation = []LocationRow{{Name: "web-1", Status: "ok", LastCheck: now.Add(-time.Minute)}}
		p.NoLatency, p.FIMAgent = noLatency, "7"
		return p
	}
	latency := []string{"Timeout", "Last latency", "Average in range", "Response time", "Latency"}
	for _, noLatency := range []bool{true, false} {
		t.Run(fmt.Sprintf("NoLatency %v", noLatency), func(t *testing.T) {
			p := fimMon(noLatency)
			page := render(t, MonitorPage(p))
			doc := parse(t, page)
			var words []string
			for _, n := range findAll(doc, func(n *html.Node) bool {
				return n.Data == "th" || n.Data == "h2" || (n.Data == "div" && hasClass(n, "l")) || (n.Data == "span" && n.Parent != nil && hasClass(n.Parent, "meta"))
			}) {
				words = append(words, strings.TrimSpace(text(n)))
			}
			shown := strings.Join(words, "|")
			for _, w := range latency {
				if has := slices.ContainsFunc(words, func(s string) bool { return strings.HasPrefix(s, w) }); has == noLatency {
					t.Errorf("%q shown %v, want %v (shown: %s)", w, has, !noLatency, shown)
				}
			}
			if got := len(findAll(doc, byTestID("response-time"))); got != map[bool]int{true: 0, false: 1}[noLatency] {
				t.Errorf("%d response-time charts", got)
			}
			if !strings.Contains(page, `class="tl-axis"`) {
				t.Error("the status timeline is gone")
			}
			links := findAll(doc, byTestID("monitor-fim-changes"))
			if len(links) != 1 {
				t.Fatalf("%d links to the host's changes, want 1", len(links))
			}
			if href, _ := attr(links[0], "href"); href != "/fim/changes?agent=7" {
				t.Errorf("changes link %q, want /fim/changes?agent=7", href)
			}
			summary := render(t, MonitorSummary(p))
			if has := strings.Contains(summary, "Last latency"); has == noLatency {
				t.Errorf("live summary shows the latency: %v, want %v", has, !noLatency)
			}
		})
	}
	p := sampleMonitor()
	if n := len(findAll(parse(t, render(t, MonitorPage(p))), byTestID("monitor-fim-changes"))); n != 0 {
		t.Errorf("a probe's page links to file changes")
	}
}

func hasClass(n *html.Node, class string) bool {
	c, _ := attr(n, "class")
	return slices.Contains(strings.Fields(c), class)
}
