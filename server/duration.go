package server

import (
	"strings"
	"time"
)

// formatDuration writes d as people write it: "1m", "30s", "1h30m",
// "500ms", not Go's "1m0s". The result parses back with time.ParseDuration.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d%time.Second != 0 || d < time.Second {
		return d.String()
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
