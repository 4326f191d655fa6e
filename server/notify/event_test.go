package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	long := openedEvent()
	long.Incident.Message = strings.Repeat("x", 500) + "\nsecond line"
	noNote := ackedEvent()
	noNote.Incident.AckNote = ""
	secretTarget := openedEvent()
	secretTarget.Monitor.Target = "https://probe:hunter2@x.example/login"
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"opened", openedEvent(), "PROBLEM: Homepage (http https://x.example) — connection refused"},
		{"resolved", resolvedEvent(), "RESOLVED: Homepage (http https://x.example) after 4m12s"},
		{"acknowledged", ackedEvent(), `ACKNOWLEDGED by alice: Homepage (http https://x.example) — "looking"`},
		{"acknowledged without note", noNote, "ACKNOWLEDGED by alice: Homepage (http https://x.example)"},
		{"reminder", reminderEvent(), "REMINDER: Homepage (http https://x.example) still down after 1h5m — connection refused"},
		{"test", testEvent(), "TEST: Vigil test notification — if you can read this, this contact works"},
		{"long message is clipped to one line", long, "PROBLEM: Homepage (http https://x.example) — " + strings.Repeat("x", summaryMsgLen-1) + "…"},
		{"password in target hidden", secretTarget, "PROBLEM: Homepage (http https://probe:xxxxx@x.example/login) — connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.Summary(); got != tt.want {
				t.Errorf("Summary()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFactsAndText(t *testing.T) {
	ev := ackedEvent()
	ev.AckURL = "https://vigil.example.com/ack/tok"
	want := `ACKNOWLEDGED by alice: Homepage (http https://x.example) — "looking"

Monitor:      Homepage
Check:        http https://x.example
Where:        server, web-eu-1
Since:        2026-03-04 10:00:00 UTC
Down for:     2m
Last message: connection refused
Acknowledged: by alice at 2026-03-04 10:02:00 UTC: "looking"

Monitor page: https://vigil.example.com/monitors/mon_1
Acknowledge:  https://vigil.example.com/ack/tok
`
	if got := ev.Text(); got != want {
		t.Errorf("Text()\n got:\n%s\nwant:\n%s", got, want)
	}
	var resolved []string
	for _, f := range resolvedEvent().Facts() {
		resolved = append(resolved, f.Label+"="+f.Value)
	}
	if got := strings.Join(resolved, "|"); !strings.Contains(got, "Resolved=2026-03-04 10:04:12 UTC, after 4m12s") || strings.Contains(got, "Down for") {
		t.Errorf("resolved facts = %s", got)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {-time.Second, "0s"}, {45 * time.Second, "45s"}, {4*time.Minute + 12*time.Second, "4m12s"},
		{4 * time.Minute, "4m"}, {time.Hour + 5*time.Minute + 30*time.Second, "1h5m"}, {time.Hour, "1h"},
		{51 * time.Hour, "2d3h"}, {48 * time.Hour, "2d"}, {1499 * time.Millisecond, "1s"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestSpokenDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 seconds"}, {time.Second, "1 second"}, {4*time.Minute + 12*time.Second, "4 minutes 12 seconds"},
		{time.Hour + 12*time.Second, "1 hour"}, {26 * time.Hour, "1 day 2 hours"},
	}
	for _, tt := range tests {
		if got := spokenDuration(tt.d); got != tt.want {
			t.Errorf("spokenDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestOneLineAndClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a\r\nb\tc  d", 80, "a b c d"},
		{"  lead and trail \n", 80, "lead and trail"},
		{"bell\x07\x1b[31mred", 80, "bell [31mred"},
		{"ünïcödé", 80, "ünïcödé"},
		{"abcdefghij", 5, "abcd…"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.n); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	if got := clip("äöü", 2); got != "ä…" {
		t.Errorf("clip = %q", got)
	}
	if got := clipBytes("ääää", 6); got != "ä…" { // "…" is 3 bytes; never split a rune
		t.Errorf("clipBytes = %q", got)
	}
}

// TestEventJSON pins the outbox/webhook field names and that the
// acknowledgement link is never serialised.
func TestEventJSON(t *testing.T) {
	ev := ackedEvent()
	ev.AckURL = "https://vigil.example.com/ack/secret-token"
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":"incident.acknowledged","monitor":{"id":"mon_1","name":"Homepage","type":"http","target":"https://x.example"},` +
		`"incident":{"id":"inc_1","started_at":"2026-03-04T10:00:00Z","ended_at":null,"status":"open","message":"connection refused",` +
		`"acknowledged_by":"alice","acknowledged_at":"2026-03-04T10:02:00Z","ack_note":"looking"},"at":"2026-03-04T10:02:00Z",` +
		`"monitor_url":"https://vigil.example.com/monitors/mon_1","location":"server, web-eu-1"}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil || back.Summary() != ackedEvent().Summary() {
		t.Errorf("round trip: %v, %q", err, back.Summary())
	}
}
