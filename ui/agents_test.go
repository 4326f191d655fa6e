package ui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func sampleAgents() AgentsProps {
	return AgentsProps{
		Page:        page("Agents", "agents"),
		Fingerprint: strings.Repeat("ab12", 16),
		CanEdit:     true,
		CanAdmin:    true,
		NewToken: &NewJoinToken{ID: "3", Command: "vigil agent --server https://monitor.example:8443 --token vgl1.3.c2VjcmV0.abcd",
			ExpiresAt: now.Add(24 * time.Hour), UsesLeft: 2},
		Tokens: []JoinTokenRow{
			{ID: "3", Note: "rack 4", Status: "active", CreatedBy: "alice", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour), UsesLeft: 2},
			{ID: "2", Status: "used_up", CreatedBy: "alice", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour), Used: 1},
			{ID: "1", Note: "old", Status: "revoked", CreatedBy: "bob", CreatedAt: now.Add(-72 * time.Hour), ExpiresAt: now.Add(-48 * time.Hour), UsesLeft: 1},
		},
		Agents: []AgentRow{
			{ID: "1", Name: "web-1", Hostname: "web-1.example", OS: "linux", Arch: "amd64", Version: "v0.1.0", Status: "online",
				Address: "192.0.2.10:51000", Labels: []string{"eu", "prod"}, LastSeen: now.Add(-5 * time.Second), Monitors: sampleMonitorLinks(7),
				Commands: []string{"backup-age", "raid"}, Spool: &AgentSpool{}},
			{ID: "2", Name: "db-1", Hostname: "db-1.example", OS: "linux", Arch: "arm64", Version: "v0.1.0", Status: "offline",
				Address: "192.0.2.11:51000", LastSeen: now.Add(-2 * time.Hour), Monitors: []MonitorLink{{ID: "9", Name: "MariaDB <primary>"}}, Spool: &AgentSpool{Pending: 12, Bytes: 5 << 10, Dropped: 3}},
			{ID: "4", Name: "old-box", Status: "revoked", Commands: []string{"raid"}},
		},
	}
}

// sampleMonitorLinks is n monitors, named in order.
func sampleMonitorLinks(n int) []MonitorLink {
	var out []MonitorLink
	for i := range n {
		out = append(out, MonitorLink{ID: strconv.Itoa(i + 1), Name: "Disk /srv/" + strconv.Itoa(i+1)})
	}
	return out
}

func agentsCases() []pageCase {
	viewer := sampleAgents()
	viewer.CanEdit, viewer.CanAdmin, viewer.NewToken, viewer.Tokens = false, false, nil, nil
	empty := sampleAgents()
	empty.NewToken, empty.Tokens, empty.Agents = nil, nil, nil
	empty.TokenForm = JoinTokenForm{TTL: "1s", Uses: "none", Errors: map[string]string{
		"ttl":  "Valid for: must be between 1 minute (1m) and 30 days (720h)",
		"uses": "Uses: must be a whole number from 1 to 1000",
	}}
	refused := sampleAgents()
	refused.NewToken = nil
	refused.AgentForm = AgentForm{ID: "2", Name: "", Labels: "eu, " + strings.Repeat("x", 70), Errors: map[string]string{
		"name":   "an agent needs a name",
		"labels": `label "xxxxxxxxxxxxxxxxxxxxxxxx…" is longer than 64 characters`,
	}}
	return []pageCase{
		{"agents", AgentsPage(sampleAgents()), map[string]int{"agents": 1, "agent-row": 3, "token-row": 3, "join-token-form": 1,
			"join-command": 1, "join-command-box": 1, "logout": 1, "agent-commands": 2, "agent-spool": 1, "agent-form": 3,
			"agent-form-error": 0, "field-error": 0, "agent-monitors": 2}},
		{"agents_viewer", AgentsPage(viewer), map[string]int{"agents": 1, "agent-row": 3, "token-row": 0, "join-token-form": 0,
			"join-command": 0, "agent-commands": 2, "agent-form": 0}},
		{"agents_empty", AgentsPage(empty), map[string]int{"agent-row": 0, "token-row": 0, "join-token-form": 1, "join-command": 0,
			"field-error": 2}},
		{"agents_rename_refused", AgentsPage(refused), map[string]int{"agent-row": 3, "agent-form": 3, "agent-form-error": 1,
			"field-error": 2, "join-command-box": 0}},
	}
}

func TestAgentsGolden(t *testing.T) {
	for _, tc := range agentsCases() {
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

func TestAgentsTestIDs(t *testing.T) {
	for _, tc := range agentsCases() {
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

// TestAgentsFormsCarryCSRF checks that every POST form on the page has
// the session's CSRF token, and that revoking needs a second click.
func TestAgentsFormsCarryCSRF(t *testing.T) {
	doc := parse(t, render(t, AgentsPage(sampleAgents())))
	forms := findAll(doc, func(n *html.Node) bool { return n.Data == "form" })
	if len(forms) < 6 {
		t.Fatalf("%d forms, want the token form, revokes, renames and agent revokes", len(forms))
	}
	for _, f := range forms {
		inputs := findAll(f, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "csrf" })
		if len(inputs) != 1 {
			action, _ := attr(f, "action")
			t.Errorf("form %s has %d csrf inputs, want 1", action, len(inputs))
		}
	}
	for _, f := range forms {
		action, _ := attr(f, "action")
		if strings.HasPrefix(action, "/agents/") && strings.HasSuffix(action, "/revoke") && !strings.Contains(action, "join-tokens") &&
			(f.Parent == nil || f.Parent.Data != "details") {
			t.Errorf("agent revoke form %s is not behind a <details> confirmation", action)
		}
	}
}

// TestAgentsFacts checks what the page says about an agent's allowed
// commands and its spool.
func TestAgentsFacts(t *testing.T) {
	doc := parse(t, render(t, AgentsPage(sampleAgents())))
	var commands, spools []string
	for _, n := range findAll(doc, byTestID("agent-commands")) {
		commands = append(commands, strings.Join(strings.Fields(text(n)), " "))
	}
	for _, n := range findAll(doc, byTestID("agent-spool")) {
		spools = append(spools, text(n))
	}
	wantCommands := []string{
		"Shell commands allowed here: backup-age, raid",
		"Shell commands allowed here: none (add files to allow.d on the host)",
	}
	if strings.Join(commands, "|") != strings.Join(wantCommands, "|") {
		t.Errorf("commands say %q, want %q (and nothing for the revoked agent)", commands, wantCommands)
	}
	wantSpool := "12 results waiting to be sent (5.0 KiB); 3 dropped since the agent started (spool full, too old or refused)"
	if len(spools) != 1 || spools[0] != wantSpool {
		t.Errorf("spool notes %q, want only %q (an empty spool says nothing)", spools, wantSpool)
	}
}

// TestAgentsMonitors checks that an agent's row names its monitors, each
// a link to its page: five, then the rest behind "and N more".
func TestAgentsMonitors(t *testing.T) {
	doc := parse(t, render(t, AgentsPage(sampleAgents())))
	type shown struct {
		links []string // hrefs, in order
		more  string   // the summary of the rest; "" without one
		rest  int      // links behind it
	}
	got := map[string]shown{}
	for _, row := range findAll(doc, byTestID("agent-row")) {
		id, _ := attr(row, "data-agent-id")
		var sh shown
		for _, fact := range findAll(row, byTestID("agent-monitors")) {
			for _, a := range findAll(fact, func(n *html.Node) bool { return n.Data == "a" }) {
				href, _ := attr(a, "href")
				sh.links = append(sh.links, href+" "+text(a))
			}
			for _, d := range findAll(fact, func(n *html.Node) bool { return n.Data == "details" }) {
				sum := findAll(d, func(n *html.Node) bool { return n.Data == "summary" })
				sh.more = strings.TrimSpace(text(sum[0]))
				sh.rest = len(findAll(d, func(n *html.Node) bool { return n.Data == "a" }))
			}
		}
		got[id] = sh
	}
	web := got["1"]
	if len(web.links) != 7 || web.more != "and 2 more" || web.rest != 2 || web.links[0] != "/monitors/1 Disk /srv/1" {
		t.Errorf("web-1 shows %q, more %q with %d links; want 7 links, the last 2 behind \"and 2 more\"", web.links, web.more, web.rest)
	}
	db := got["2"]
	if len(db.links) != 1 || db.links[0] != "/monitors/9 MariaDB <primary>" || db.more != "" {
		t.Errorf("db-1 shows %q, more %q; want its one monitor and no \"more\"", db.links, db.more)
	}
	if len(got["4"].links) != 0 {
		t.Errorf("old-box shows monitors %q, want none", got["4"].links)
	}
}

func TestSpoolNote(t *testing.T) {
	tests := []struct {
		name  string
		spool *AgentSpool
		want  string
	}{
		{"not known", nil, ""},
		{"empty", &AgentSpool{}, ""},
		{"one waiting", &AgentSpool{Pending: 1, Bytes: 300}, "1 result waiting to be sent (300 bytes)"},
		{"only dropped", &AgentSpool{Dropped: 1}, "1 result dropped since the agent started (spool full, too old or refused)"},
		{"large", &AgentSpool{Pending: 90000, Bytes: 3 << 30, Dropped: 2},
			"90,000 results waiting to be sent (3.0 GiB); 2 dropped since the agent started (spool full, too old or refused)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spoolNote(tt.spool); got != tt.want {
				t.Errorf("spoolNote = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAgentsRenameRefused checks that a refused rename is shown open in
// its agent's row, as typed, with each error tied to its field; the
// other agents' forms stay closed with their stored values.
func TestAgentsRenameRefused(t *testing.T) {
	p := sampleAgents()
	p.AgentForm = AgentForm{ID: "2", Name: "", Labels: "eu, a-very-long-label", Errors: map[string]string{
		"name": "an agent needs a name", "labels": "label too long"}}
	doc := parse(t, render(t, AgentsPage(p)))
	for _, row := range findAll(doc, byTestID("agent-row")) {
		id, _ := attr(row, "data-agent-id")
		details := findAll(row, func(n *html.Node) bool { c, _ := attr(n, "class"); return n.Data == "details" && c != "more-list" })
		if len(details) == 0 {
			t.Fatalf("agent %s: no rename form", id)
		}
		_, open := attr(details[0], "open")
		if open != (id == "2") {
			t.Errorf("agent %s: rename form open %v, want it open only for the refused one", id, open)
		}
		name := findAll(row, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "name" })
		labels := findAll(row, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "labels" })
		if len(name) != 1 || len(labels) != 1 {
			t.Fatalf("agent %s: %d name and %d labels inputs", id, len(name), len(labels))
		}
		gotName, _ := attr(name[0], "value")
		gotLabels, _ := attr(labels[0], "value")
		wantName, wantLabels := map[string]string{"1": "web-1", "2": "", "4": "old-box"}[id], map[string]string{"1": "eu, prod", "2": "eu, a-very-long-label"}[id]
		if gotName != wantName || gotLabels != wantLabels {
			t.Errorf("agent %s: form holds %q %q, want %q %q", id, gotName, gotLabels, wantName, wantLabels)
		}
		if id != "2" {
			continue
		}
		for _, in := range []*html.Node{name[0], labels[0]} {
			desc, _ := attr(in, "aria-describedby")
			if inv, _ := attr(in, "aria-invalid"); inv != "true" || len(findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == desc })) != 1 {
				t.Errorf("agent 2: field %v is not tied to an error message (aria-describedby %q)", in.Attr, desc)
			}
		}
	}
}

// TestJoinCommandBoxIsNoError checks that the command shown after a
// token is made is a status message, not an alert.
func TestJoinCommandBoxIsNoError(t *testing.T) {
	doc := parse(t, render(t, AgentsPage(sampleAgents())))
	boxes := findAll(doc, byTestID("join-command-box"))
	if len(boxes) != 1 {
		t.Fatalf("%d join command boxes, want 1", len(boxes))
	}
	class, _ := attr(boxes[0], "class")
	role, _ := attr(boxes[0], "role")
	if strings.Contains(" "+class+" ", " alert ") || role != "status" {
		t.Errorf("join command box has class %q role %q, want no alert class and role status", class, role)
	}
}
