package checks

import (
	"reflect"
	"testing"
	"time"
)

// at stamps s with the time it was read.
func at(s *mysqlSnapshot, t time.Time) *mysqlSnapshot {
	s.at = t
	return s
}

func TestMySQLRestarted(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	up := func(uptime string, after time.Duration) *mysqlSnapshot {
		return at(snap("Uptime", uptime), t0.Add(after))
	}
	cases := []struct {
		name      string
		prev, cur *mysqlSnapshot
		want      bool
	}{
		{"first run", nil, up("100", 0), false},
		{"uptime kept pace", up("1000", 0), up("1060", time.Minute), false},
		{"uptime a little behind, within the slack", up("1000", 0), up("1040", time.Minute), false},
		{"uptime ahead (clocks read a round trip apart)", up("1000", 0), up("1065", time.Minute), false},
		{"uptime went backwards", up("1000", 0), up("5", time.Minute), true},
		{"uptime went backwards, times unknown", snap("Uptime", "1000"), snap("Uptime", "5"), true},
		// Up 100 s, restarted 50 s later, read again 500 s after the
		// first reading: up 450 s, more than before, yet a restart.
		{"restart hidden by a long interval", up("100", 0), up("450", 500*time.Second), true},
		{"restart after failed runs", up("86400", 0), up("90000", 24*time.Hour), true},
		{"behind by more than the slack", up("1000", 0), up("1029", time.Minute), true},
		{"long interval, times unknown", snap("Uptime", "100"), snap("Uptime", "450"), false},
		{"our clock went backwards", up("1000", time.Hour), up("1060", 0), false},
		{"no Uptime at all: no restart every run", at(snap("Slow_queries", "1"), t0), at(snap("Slow_queries", "2"), t0.Add(time.Hour)), false},
		{"Uptime only in the new reading", at(snap("Slow_queries", "1"), t0), up("5", time.Hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mysqlRestarted(tc.prev, tc.cur); got != tc.want {
				t.Fatalf("restarted = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestMySQLRestartHiddenByALongInterval checks what a run reports when
// Uptime grew, but less than the time since the last reading.
func TestMySQLRestartHiddenByALongInterval(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	prev := at(fullSnap("100", "Uptime", "100"), t0)
	cur := at(fullSnap("150", "Uptime", "450"), t0.Add(500*time.Second))
	values, notes := mysqlComputeRates(prev, cur)
	if want := []string{"server restarted (up 450 s): rates from the next run"}; !reflect.DeepEqual(notes, want) {
		t.Fatalf("notes %q, want %q", notes, want)
	}
	if v, ok := values["slow_queries"]; ok {
		t.Fatalf("slow_queries = %v across a restart", v)
	}
}
