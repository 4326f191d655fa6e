package server

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/store"
)

func TestWebFIMNotices(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	pol := store.FIMPolicy{Name: "etc", Interval: time.Hour, CreatedAt: now.Add(-24 * time.Hour)}
	agent := store.Agent{CreatedAt: now.Add(-48 * time.Hour)}
	fresh := store.FIMAgentState{LastScanAt: now.Add(-time.Hour)}
	tests := []struct {
		name string
		st   store.FIMAgentState
		want []string // substrings, one per notice, in order
	}{
		{"all well", fresh, nil},
		{"reset", func() store.FIMAgentState {
			st := fresh
			st.Reset, st.ResetAt = store.FIMResetMessage, now.Add(-2*time.Hour)
			return st
		}(), []string{"2026-11-23 10:00 UTC the agent's file-integrity state was reset"}},
		{"late", store.FIMAgentState{LastScanAt: now.Add(-3 * time.Hour)}, []string{"no scan finished since 2026-11-23T09:00:00Z"}},
		{"root unreadable", store.FIMAgentState{LastScanAt: now, RootErrors: []fim.ScanError{{Path: "/etc", Error: "permission denied"}}},
			[]string{"could not read /etc: permission denied"}},
		{"unrecorded and refused", store.FIMAgentState{LastScanAt: now, Unrecorded: 7, Refused: 2},
			[]string{"7 more changes were found but not recorded", "2 changes the agent reported were refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webFIMNotices(pol, agent, tt.st, now)
			if len(got) != len(tt.want) {
				t.Fatalf("notices %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("notice %d = %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
