package ui

import (
	"strings"
	"testing"
	"time"
)

// TestWordingFromTheTrial renders the sentences people stumbled over in
// the trial and checks how they read now.
func TestWordingFromTheTrial(t *testing.T) {
	ask := AckLinkProps{Page: Page{Title: "Acknowledge"}, IncidentID: "i3", MonitorName: "Payments API", Contact: "Ops mail", StartedAt: now}
	withMsg := ask
	withMsg.Message = "connection refused"
	acked := sampleMonitor()
	acked.Incidents[0].AcknowledgedBy = "contact:Ops mail (email link)"
	banner := func(n int) DashboardProps {
		p := sampleDashboard()
		p.Maintenance = []MaintenanceBanner{{Name: "kernel update", Until: now.Add(time.Hour), Monitors: n}}
		return p
	}
	tests := []struct {
		name       string
		html       string
		has, lacks []string
	}{
		{"ack page with a message", render(t, AckLinkPage(withMsg)),
			[]string{"with “connection refused”. Acknowledging"}, []string{"” ."}},
		{"ack page without one", render(t, AckLinkPage(ask)), []string{"</time>. Acknowledging"}, []string{" ."}},
		{"acknowledged by a contact's link", render(t, MonitorPage(acked)),
			[]string{"Acknowledged by <strong>Ops mail (email link)</strong>"}, []string{"contact:"}},
		{"one monitor in maintenance", render(t, DashboardPage(banner(1))),
			[]string{"1 monitor opens no incident and pages nobody."}, []string{"monitor open "}},
		{"several monitors in maintenance", render(t, DashboardPage(banner(3))),
			[]string{"3 monitors open no incidents and page nobody."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flat := strings.Join(strings.Fields(tc.html), " ")
			for _, s := range tc.has {
				if !strings.Contains(flat, s) {
					t.Errorf("lacks %q", s)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(flat, s) {
					t.Errorf("has %q", s)
				}
			}
		})
	}
}
