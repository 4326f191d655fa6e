package engine

import (
	"testing"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

func TestFailureMessage(t *testing.T) {
	names := func(loc string) string {
		if loc == "server" {
			return "server"
		}
		return map[string]string{"1": "web-01 (agent)", "2": "eu-1 (agent)"}[loc] // "" for an unknown agent
	}
	failing := func(msg string) store.LocationState {
		return store.LocationState{Status: checks.StatusProblem, Last: checks.Result{Message: msg}}
	}
	ok := store.LocationState{Status: checks.StatusOK, Last: checks.Result{Message: "200 OK"}}
	tests := []struct {
		name string
		kind string
		locs map[string]store.LocationState
		want string
	}{
		{"one location", "http", map[string]store.LocationState{"server": failing("connection refused")}, "connection refused from server"},
		{"agent by name", "http", map[string]store.LocationState{"1": failing("timeout"), "server": ok}, "timeout from web-01 (agent)"},
		{"same message shared", "tcp", map[string]store.LocationState{"1": failing("refused"), "server": failing("refused")},
			"refused from web-01 (agent) and server"},
		{"three places", "tcp", map[string]store.LocationState{"1": failing("refused"), "2": failing("refused"), "server": failing("refused")},
			"refused from web-01 (agent), eu-1 (agent) and server"},
		{"different messages", "http", map[string]store.LocationState{"1": failing("timeout"), "server": failing("503")},
			"timeout from web-01 (agent); 503 from server"},
		{"host check reads the host", "memory", map[string]store.LocationState{"1": failing("memory 97% used")}, "memory 97% used on web-01 (agent)"},
		{"no message", "http", map[string]store.LocationState{"server": failing("")}, "problem from server"},
		{"unknown agent keeps its id", "http", map[string]store.LocationState{"9": failing("timeout")}, "timeout from 9"},
	}
	e := New(newFakeStore(), nil)
	e.SetLocationNames(names)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := failureMessage(store.Monitor{Type: tc.kind}, tc.locs, e.nameOf); got != tc.want {
				t.Errorf("failureMessage = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestIncidentNamesAgents: an incident opened from an agent's results
// names the agent as the resolver says, not by the id results carry.
func TestIncidentNamesAgents(t *testing.T) {
	h := newHarness(mon("m", func(m *store.Monitor) { m.Locations = []string{"7"} }))
	h.e.SetLocationNames(func(loc string) string { return map[string]string{"7": "web-01 (agent)"}[loc] })
	h.apply([]r{{"m", "7", bad}, {"m", "7", bad}})
	incs := h.st.open("m")
	if len(incs) != 1 || incs[0].Message != "msg problem from web-01 (agent)" {
		t.Fatalf("incidents %+v, want one naming web-01 (agent)", incs)
	}
}
