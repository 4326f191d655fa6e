package notify

import (
	"strings"
	"testing"
)

// TestWordingFromTheTrial: what people read in the trial's messages.
func TestWordingFromTheTrial(t *testing.T) {
	atOpen := openedEvent()
	atOpen.At = atOpen.Incident.StartedAt
	byLink := ackedEvent()
	byLink.Incident.AcknowledgedBy, byLink.Incident.AckNote = "contact:Ops mail (email link)", ""
	test := testEvent()
	test.Monitor.Name = TestMonitorName
	tests := []struct {
		name       string
		ev         Event
		has, lacks []string
	}{
		{"opened: no Down for 0s", atOpen, []string{"Since:        2026-03-04 10:00:00 UTC"}, []string{"Down for", "0s"}},
		{"reminder keeps Down for", reminderEvent(), []string{"Down for:     1h5m"}, nil},
		{"acknowledged by a contact's link", byLink,
			[]string{"ACKNOWLEDGED by Ops mail (email link): Homepage", "Acknowledged: by Ops mail (email link) at"}, []string{"contact:"}},
		{"test message", test, []string{"TEST: Vigil test message — if you can read this", "When:         2026-03-04 10:00:00 UTC"},
			[]string{"Monitor:", "Vigil test email"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.ev.Text()
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(text, s) {
					t.Errorf("text has %q:\n%s", s, text)
				}
			}
		})
	}
}
