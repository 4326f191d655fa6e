package checks

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestLoadLive(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("load: windows keeps no load average")
	}
	r := runHost(t, newHostChecker(t, "load", "", `{}`), "")
	cores := wantHostValue(t, r, "cores", 1, 1<<16)
	load1 := wantHostValue(t, r, "load1", 0, 1e6)
	wantHostValue(t, r, "load5", 0, 1e6)
	wantHostValue(t, r, "load15", 0, 1e6)
	per := wantHostValue(t, r, "load1_per_core", 0, 1e6)
	if d := per - load1/cores; d > 0.01 || d < -0.01 {
		t.Fatalf("load1_per_core %v is not load1 %v / cores %v", per, load1, cores)
	}
	wantStatusFor(t, r, per, 2, 4)
}

func TestLoadThresholds(t *testing.T) {
	cases := []struct {
		name     string
		settings string
		avg      loadAverage
		err      error
		status   Status
		message  string
	}{
		{"calm", `{}`, loadAverage{load1: 1.5, load5: 1.25, load15: 1, cores: 4}, nil, StatusOK, "load 1.5 1.25 1, 0.38 per core"},
		{"warning", `{}`, loadAverage{load1: 10, load5: 8, load15: 6, cores: 4}, nil, StatusWarning, "load 10 8 6, 2.5 per core (warning above 2)"},
		{"problem", `{}`, loadAverage{load1: 17, load5: 8, load15: 6, cores: 4}, nil, StatusProblem, "load 17 8 6, 4.25 per core (problem above 4)"},
		{"custom", `{"warning_per_core":0.5,"error_per_core":0.75}`, loadAverage{load1: 0.6, load5: 0, load15: 0, cores: 1}, nil, StatusWarning, "load 0.6 0 0, 0.6 per core (warning above 0.5)"},
		{"no cores known", `{}`, loadAverage{load1: 3, cores: 0}, nil, StatusWarning, "load 3 0 0, 3 per core (warning above 2)"},
		{"windows", `{}`, loadAverage{}, errNoLoadAverage, StatusProblem, "load average is not available on windows"},
		{"read error", `{}`, loadAverage{}, errors.New("no /proc/loadavg"), StatusProblem, "read load average: no /proc/loadavg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHostChecker(t, "load", "", tc.settings).(*loadChecker)
			c.read = func(context.Context) (loadAverage, error) { return tc.avg, tc.err }
			r := runHost(t, c, "")
			if r.Status != tc.status || r.Message != tc.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tc.status, tc.message)
			}
		})
	}
}
