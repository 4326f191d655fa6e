package ui

import (
	"strings"
	"testing"
	"time"
)

func TestResultBadge(t *testing.T) {
	tests := []struct{ result, badge, text string }{
		{"sent", "badge-ok", "sent"},
		{"retrying", "badge-warning", "retrying"},
		{"queued", "badge-warning", "queued"},
		{"failed", "badge-problem", "failed"},
		{"gave_up", "badge-problem", "gave up"},
		{"held", "badge-unknown", "held"},
		{"suppressed", "badge-paused", "suppressed"},
		{"cancelled", "badge-paused", "cancelled"},
		{"", "badge-paused", "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := resultBadge(tc.result); got != tc.badge {
				t.Errorf("resultBadge(%q) = %q, want %q", tc.result, got, tc.badge)
			}
			if got := resultText(tc.result); got != tc.text {
				t.Errorf("resultText(%q) = %q, want %q", tc.result, got, tc.text)
			}
		})
	}
}

// TestNotificationLogHeldAndCancelled: a held message shows its badge and
// why; a cancelled escalation step shows whom it was for.
func TestNotificationLogHeldAndCancelled(t *testing.T) {
	p := sampleIncident()
	p.Notifications = append(p.Notifications,
		NotificationRow{At: now.Add(-11 * time.Minute), Contact: "Ops mail", Type: "email", Event: "incident.opened", Result: "held", Error: "in maintenance kernel update"},
		NotificationRow{At: now.Add(-10 * time.Minute), Contact: "escalation step 2", Event: "incident.opened", Step: 2, Result: "cancelled", Error: "acknowledged by alice"},
	)
	doc := parse(t, render(t, IncidentPage(p)))
	rows := findAll(doc, byTestID("notification-row"))
	var held, cancelled string
	for _, r := range rows {
		switch txt := text(r); {
		case strings.Contains(txt, "held"):
			held = render(t, notificationRow(p.Notifications[3]))
		case strings.Contains(txt, "cancelled"):
			cancelled = txt
		}
	}
	if !strings.Contains(held, `class="badge badge-unknown"`) || !strings.Contains(held, "in maintenance kernel update") {
		t.Errorf("held row %q: want the held badge and why", held)
	}
	if !strings.Contains(cancelled, "escalation step 2") {
		t.Errorf("cancelled row %q names nobody", cancelled)
	}
}
