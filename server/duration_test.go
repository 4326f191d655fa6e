package server

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Second: "1s", 30 * time.Second: "30s", time.Minute: "1m", 90 * time.Second: "1m30s",
		time.Hour: "1h", 24 * time.Hour: "24h", time.Hour + 30*time.Minute: "1h30m", time.Hour + time.Second: "1h0m1s",
		500 * time.Millisecond: "500ms", 1500 * time.Millisecond: "1.5s",
	} {
		got := formatDuration(d)
		if got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(got); err != nil || back != d {
			t.Errorf("%q does not parse back to %v", got, d)
		}
	}
}
