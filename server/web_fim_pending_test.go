package server

import (
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/store"
)

// TestWebFIMScanPending checks when the policy page expects a scan to
// start within seconds (and so refreshes often): an online agent with no
// baseline, or one asked to scan after its last scan started, not long
// ago; never an offline agent.
func TestWebFIMScanPending(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	baselined := store.FIMAgentState{BaselineAt: now.Add(-time.Hour), ScanStartedAt: now.Add(-time.Hour), LastScanAt: now.Add(-time.Hour)}
	requested := store.FIMPolicy{UpdatedAt: now.Add(-48 * time.Hour), ScanRequestedAt: now.Add(-5 * time.Second)} // "Scan now"
	changed := store.FIMPolicy{UpdatedAt: now.Add(-5 * time.Second)}                                              // an edit
	tests := []struct {
		name   string
		pol    store.FIMPolicy
		st     store.FIMAgentState
		pr     gateway.FIMProgress
		online bool
		want   bool
	}{
		{"no baseline yet", store.FIMPolicy{UpdatedAt: now.Add(-time.Hour)}, store.FIMAgentState{}, gateway.FIMProgress{}, true, true},
		{"no baseline, offline", store.FIMPolicy{UpdatedAt: now.Add(-time.Hour)}, store.FIMAgentState{}, gateway.FIMProgress{}, false, false},
		{"scan requested, not started", requested, baselined, gateway.FIMProgress{}, true, true},
		{"scan requested, offline", requested, baselined, gateway.FIMProgress{}, false, false},
		{"policy changed, not started", changed, baselined, gateway.FIMProgress{}, true, true},
		{"scan requested, started since (store)", requested,
			store.FIMAgentState{BaselineAt: now.Add(-time.Hour), ScanStartedAt: now.Add(-2 * time.Second)}, gateway.FIMProgress{}, true, false},
		{"scan requested, started since (gateway)", requested, baselined, gateway.FIMProgress{StartedAt: now.Add(-time.Second)}, true, false},
		{"requested too long ago", store.FIMPolicy{UpdatedAt: now.Add(-webFIMPendingFor - time.Second)}, baselined, gateway.FIMProgress{}, true, false},
		{"nothing requested", store.FIMPolicy{UpdatedAt: now.Add(-2 * time.Hour)}, baselined, gateway.FIMProgress{}, true, false},
	}
	for _, tt := range tests {
		if got := webFIMScanPending(tt.pol, tt.st, tt.pr, tt.online, now); got != tt.want {
			t.Errorf("%s: pending = %v, want %v", tt.name, got, tt.want)
		}
	}
}
