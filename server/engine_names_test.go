package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// TestIncidentNamesTheAgent: an incident opened by an agent's results
// names the agent, not the id its results carry.
func TestIncidentNamesTheAgent(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "web-01")
	tok := ts.token(t, "admin")
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"api","type":"tcp","target":"127.0.0.1:1","interval":"1h","locations":["web-01"]}`, http.StatusCreated, &m)
	now := time.Now()
	var batch []store.MonitorResult
	for i := range 3 {
		batch = append(batch, store.MonitorResult{MonitorID: m.ID, Result: checks.Result{At: now.Add(time.Duration(i-3) * time.Second),
			Location: a.ID, Status: checks.StatusProblem, Message: "connection refused"}})
	}
	if err := ts.commitAgentResults(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	incs, err := ts.db.Incidents(store.IncidentQuery{MonitorID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	if want := "connection refused from web-01 (agent)"; len(incs) != 1 || incs[0].Message != want {
		t.Fatalf("incidents %+v, want one with message %q", incs, want)
	}
}

func TestIncidentLocationName(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "edge-1")
	tests := []struct{ loc, want string }{
		{"server", "server"},
		{a.ID, "edge-1 (agent)"},
		{"999", "agent 999"},
	}
	for _, tc := range tests {
		if got := ts.incidentLocationName(tc.loc); got != tc.want {
			t.Errorf("incidentLocationName(%q) = %q, want %q", tc.loc, got, tc.want)
		}
	}
}
