package store

import (
	"testing"
	"time"
)

func TestTouchAgents(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	db1 := newAgent(t, db, "db-1", "s2")
	audits, _ := db.Audit(AuditQuery{})
	later := joinNow.Add(time.Minute)
	tests := []struct {
		name     string
		touches  []AgentTouch
		wantSeen map[string]time.Time
		wantAddr map[string]string
	}{
		{
			name: "both agents in one call, unknown and malformed ids skipped",
			touches: []AgentTouch{
				{ID: web.ID, At: later, Address: "10.0.0.5"},
				{ID: "99", At: later, Address: "x"},
				{ID: "not-an-id", At: later, Address: "x"},
				{ID: db1.ID, At: later.Add(time.Second), Address: "10.0.0.6"},
			},
			wantSeen: map[string]time.Time{web.ID: later, db1.ID: later.Add(time.Second)},
			wantAddr: map[string]string{web.ID: "10.0.0.5", db1.ID: "10.0.0.6"},
		},
		{
			name:     "an older heartbeat does not move last seen back",
			touches:  []AgentTouch{{ID: web.ID, At: joinNow, Address: "10.0.0.9"}},
			wantSeen: map[string]time.Time{web.ID: later},
			wantAddr: map[string]string{web.ID: "10.0.0.5"},
		},
		{name: "none", touches: nil, wantSeen: map[string]time.Time{web.ID: later}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.TouchAgents(tc.touches), nil)
			for id, want := range tc.wantSeen {
				got, err := db.Agent(id)
				wantErr(t, err, nil)
				if !got.LastSeen.Equal(want) {
					t.Errorf("agent %s last seen %v, want %v", id, got.LastSeen, want)
				}
				if addr, ok := tc.wantAddr[id]; ok && got.Address != addr {
					t.Errorf("agent %s address %q, want %q", id, got.Address, addr)
				}
			}
		})
	}
	if after, _ := db.Audit(AuditQuery{}); len(after) != len(audits) {
		t.Fatalf("heartbeats were audited: %d entries, want %d", len(after), len(audits))
	}
}
