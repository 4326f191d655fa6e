package ui

import (
	"os"
	"path/filepath"
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
				Address: "192.0.2.10:51000", Labels: []string{"eu", "prod"}, LastSeen: now.Add(-5 * time.Second), Monitors: 3},
			{ID: "2", Name: "db-1", Hostname: "db-1.example", OS: "linux", Arch: "arm64", Version: "v0.1.0", Status: "offline",
				Address: "192.0.2.11:51000", LastSeen: now.Add(-2 * time.Hour)},
			{ID: "4", Name: "old-box", Status: "revoked"},
		},
	}
}

func agentsCases() []pageCase {
	viewer := sampleAgents()
	viewer.CanEdit, viewer.CanAdmin, viewer.NewToken, viewer.Tokens = false, false, nil, nil
	empty := sampleAgents()
	empty.NewToken, empty.Tokens, empty.Agents = nil, nil, nil
	empty.TokenForm = JoinTokenForm{TTL: "1s", Uses: "2", Errors: map[string]string{"ttl": "ttl must be between 1m and 720h"}}
	return []pageCase{
		{"agents", AgentsPage(sampleAgents()), map[string]int{"agents": 1, "agent-row": 3, "token-row": 3, "join-token-form": 1, "join-command": 1, "logout": 1}},
		{"agents_viewer", AgentsPage(viewer), map[string]int{"agents": 1, "agent-row": 3, "token-row": 0, "join-token-form": 0, "join-command": 0}},
		{"agents_empty", AgentsPage(empty), map[string]int{"agent-row": 0, "token-row": 0, "join-token-form": 1, "join-command": 0, "field-error": 1}},
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
