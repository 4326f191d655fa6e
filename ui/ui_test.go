package ui

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(WithNow(context.Background(), now), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.String()
}

func parse(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the element nodes for which match is true, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byTestID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, _ := attr(n, "data-testid"); return v == id }
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

type pageCase struct {
	name    string
	comp    templ.Component
	testIDs map[string]int // data-testid → how many times it must appear; -1: at least once
}

func pageCases() []pageCase {
	empty := sampleDashboard()
	empty.Monitors, empty.Total, empty.Counts = nil, 0, StatusCounts{}
	dns := sampleForm()
	dns.Values.Type, dns.Errors = "dns", nil
	edit := sampleForm()
	edit.Editing, edit.Values.ID, edit.Errors = true, "m1", nil
	openOnly := sampleIncidents()
	openOnly.Filter, openOnly.Incidents = "open", nil
	noData := sampleMonitor()
	noData.Chart.Series, noData.Timeline, noData.Recent, noData.Incidents = nil, nil, nil, nil
	noData.Paused, noData.Monitor.Status = true, "paused"
	valuesNote := sampleMonitor()
	valuesNote.Range, valuesNote.ValuesNote = "30d", "Values are kept for 7 days: older ones are not charted."
	return []pageCase{
		{"setup", SetupPage(SetupProps{Page: Page{Title: "Set up"}, Username: "admin",
			Errors: map[string]string{"code": "the setup code is not right", "password_confirm": "the passwords differ"}}),
			map[string]int{"setup-form": 1, "field-error": 2, "logout": 0}},
		{"login", LoginPage(LoginProps{Page: Page{Title: "Sign in", CSRFToken: "tok-123"}, Username: "alice", Error: "Wrong username or password.", Next: "/monitors/m1"}),
			map[string]int{"login-form": 1, "logout": 0}},
		{"dashboard", DashboardPage(sampleDashboard()), map[string]int{"dashboard": 1, "monitor-row": 7, "new-monitor": 1, "logout": 1}},
		{"dashboard_empty", DashboardPage(empty), map[string]int{"dashboard": 1, "monitor-row": 0, "new-monitor": 1}},
		{"dashboard_table", DashboardTable(sampleDashboard()), map[string]int{"monitor-row": 7, "logout": 0}},
		{"monitor", MonitorPage(sampleMonitor()), map[string]int{"monitor-status": 1, "incident-row": 1, "logout": 1}},
		{"monitor_nodata", MonitorPage(noData), map[string]int{"monitor-status": 1, "incident-row": 0, "values": 0}},
		{"monitor_host", MonitorPage(sampleHostMonitor()), map[string]int{"monitor-status": 1, "values": 1, "value-chart": 2, "lead-value": 1, "values-note": 0}},
		{"monitor_values_note", MonitorPage(valuesNote), map[string]int{"values": 1, "value-chart": 0, "values-note": 1, "lead-value": 0}},
		{"monitor_summary", MonitorSummary(sampleMonitor()), map[string]int{"monitor-status": 1}},
		{"monitor_form", MonitorFormPage(sampleForm()), map[string]int{"monitor-form": 1, "monitor-submit": 1, "field-error": 3}},
		{"monitor_form_dns", MonitorFormPage(dns), map[string]int{"monitor-form": 1, "monitor-submit": 1, "field-error": 0}},
		{"monitor_form_edit", MonitorFormPage(edit), map[string]int{"monitor-form": 1, "monitor-submit": 1}},
		{"incidents", IncidentsPage(sampleIncidents()), map[string]int{"incident-row": 3, "ack-form": 1, "logout": 1}},
		{"incidents_none", IncidentsPage(openOnly), map[string]int{"incident-row": 0, "ack-form": 0}},
		{"error", ErrorPage(ErrorProps{Page: page("Not found", ""), Code: 404, Message: "There is no monitor m9."}), map[string]int{"logout": 1}},
	}
}

func TestPagesGolden(t *testing.T) {
	for _, tc := range pageCases() {
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

func TestTestIDs(t *testing.T) {
	for _, tc := range pageCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for id, want := range tc.testIDs {
				if got := len(findAll(doc, byTestID(id))); got != want {
					t.Errorf("data-testid=%q appears %d times, want %d", id, got, want)
				}
			}
			for _, row := range findAll(doc, byTestID("monitor-row")) {
				if v, _ := attr(row, "data-monitor-id"); v == "" {
					t.Error("monitor-row without data-monitor-id")
				}
			}
		})
	}
}

func TestPostFormsCarryCSRF(t *testing.T) {
	for _, tc := range pageCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for _, form := range findAll(doc, func(n *html.Node) bool { return n.Data == "form" }) {
				method, _ := attr(form, "method")
				if !strings.EqualFold(method, "post") {
					continue
				}
				action, _ := attr(form, "action")
				inputs := findAll(form, func(n *html.Node) bool {
					name, _ := attr(n, "name")
					typ, _ := attr(n, "type")
					return n.Data == "input" && name == "csrf" && typ == "hidden"
				})
				if len(inputs) != 1 {
					t.Errorf("POST form to %q has %d csrf inputs, want 1", action, len(inputs))
					continue
				}
				want := "tok-123"
				if tc.name == "setup" {
					want = ""
				}
				if v, _ := attr(inputs[0], "value"); v != want {
					t.Errorf("POST form to %q: csrf = %q, want %q", action, v, want)
				}
			}
		})
	}
}

func TestNoForeignAssets(t *testing.T) {
	for _, tc := range pageCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, key := range []string{"src", "href", "action", "formaction", "hx-get", "hx-post"} {
					v, ok := attr(n, key)
					if !ok {
						continue
					}
					low := strings.ToLower(strings.TrimSpace(v))
					if strings.HasPrefix(low, "http:") || strings.HasPrefix(low, "https:") || strings.HasPrefix(low, "//") {
						t.Errorf("<%s %s=%q> points at another host", n.Data, key, v)
					}
				}
			}
		})
	}
}

// TestDashboardSummaryOOB checks that live refresh replaces the summary
// strip instead of stacking copies: the fragment carries exactly one strip,
// marked hx-swap-oob="true" (htmx 2 ignores a bare attribute), and the full
// page's strip is not marked at all.
func TestDashboardSummaryOOB(t *testing.T) {
	tests := []struct {
		name    string
		comp    templ.Component
		wantOOB string // "" when the attribute must be absent
	}{
		{"fragment", DashboardTable(sampleDashboard()), "true"},
		{"page", DashboardPage(sampleDashboard()), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			strips := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "status-summary" })
			if len(strips) != 1 {
				t.Fatalf(`%d elements with id="status-summary", want 1`, len(strips))
			}
			oob, has := attr(strips[0], "hx-swap-oob")
			if oob != tc.wantOOB || has != (tc.wantOOB != "") {
				t.Errorf("status-summary hx-swap-oob = %q (present %v), want %q", oob, has, tc.wantOOB)
			}
			if tc.wantOOB == "" {
				if n := len(findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "hx-swap-oob"); return ok })); n != 0 {
					t.Errorf("full page has %d elements with hx-swap-oob, want 0", n)
				}
			}
		})
	}
}
