package checks

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/shirou/gopsutil/v4/cpu"
)

func TestCPULive(t *testing.T) {
	cases := []struct {
		name      string
		settings  string
		warn, err float64
		perCore   bool
	}{
		{"defaults", `{}`, 90, 98, false},
		{"never above 100", `{"warning_percent":100,"error_percent":100}`, 100, 100, false},
		{"per core", `{"per_core":true}`, 90, 98, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHostChecker(t, "cpu", "", tc.settings)
			for run := range 2 { // the first run samples, the second compares
				r := runHost(t, c, "")
				busy := wantHostValue(t, r, "percent", 0, 100)
				wantStatusFor(t, r, busy, tc.warn, tc.err)
				if !strings.HasPrefix(r.Message, "cpu ") {
					t.Fatalf("run %d: message %q", run, r.Message)
				}
				if tc.perCore {
					n := wantHostValue(t, r, "cores", 1, 4096)
					wantHostValue(t, r, "core0_percent", 0, 100)
					wantHostValue(t, r, "max_core_percent", 0, 100)
					if _, ok := r.Values["core"+strconv.Itoa(int(n)-1)+"_percent"]; !ok {
						t.Fatalf("no value for the last of %v cores: %v", n, r.Values)
					}
				} else if _, ok := r.Values["core0_percent"]; ok {
					t.Fatalf("per-core values without per_core: %v", r.Values)
				}
			}
		})
	}
}

// cpuTimes is a reading where busy and idle are seconds of CPU time.
func cpuTimes(busy, idle float64) []cpu.TimesStat {
	return []cpu.TimesStat{{User: busy, Idle: idle}}
}

// scriptedCPU returns a checker reading the given readings in turn.
func scriptedCPU(t *testing.T, settings string, readings ...[]cpu.TimesStat) *cpuChecker {
	t.Helper()
	c := newHostChecker(t, "cpu", "", settings).(*cpuChecker)
	c.window = 0
	c.read = func(context.Context, bool) ([]cpu.TimesStat, error) {
		if len(readings) == 0 {
			return nil, errors.New("no more readings")
		}
		r := readings[0]
		readings = readings[1:]
		return r, nil
	}
	return c
}

func TestCPUThresholds(t *testing.T) {
	cases := []struct {
		name     string
		settings string
		second   []cpu.TimesStat // read after a first pair at (0 busy, 0 idle) and (10, 90)
		status   Status
		percent  float64
		message  string
	}{
		{"calm", `{}`, cpuTimes(20, 180), StatusOK, 10, "cpu 10%"},
		{"warning", `{}`, cpuTimes(103, 97), StatusWarning, 93, "cpu 93% (warning above 90%)"},
		{"problem", `{}`, cpuTimes(109.5, 90.5), StatusProblem, 99.5, "cpu 99.5% (problem above 98%)"},
		{"at the limit is ok", `{}`, cpuTimes(100, 100), StatusOK, 90, "cpu 90%"},
		{"warning 0", `{"warning_percent":0}`, cpuTimes(11, 189), StatusWarning, 1, "cpu 1% (warning above 0%)"},
		{"iowait is not busy", `{}`, []cpu.TimesStat{{User: 10, Idle: 90, Iowait: 100}}, StatusOK, 0, "cpu 0%"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := scriptedCPU(t, tc.settings, cpuTimes(0, 0), cpuTimes(10, 90), tc.second)
			first := runHost(t, c, "")
			if first.Values["percent"] != 10 {
				t.Fatalf("first run sampled %v, want 10: %+v", first.Values["percent"], first)
			}
			r := runHost(t, c, "")
			if r.Status != tc.status || r.Message != tc.message || r.Values["percent"] != tc.percent {
				t.Fatalf("got %s %q %v, want %s %q %v", r.Status, r.Message, r.Values["percent"], tc.status, tc.message, tc.percent)
			}
		})
	}
}

func TestCPUResampleAfterReset(t *testing.T) {
	// The counters go backwards (a suspended VM, a hot-unplugged core):
	// the run samples afresh instead of reporting nonsense.
	c := scriptedCPU(t, `{}`, cpuTimes(0, 0), cpuTimes(50, 50), cpuTimes(1, 1), cpuTimes(2, 8))
	runHost(t, c, "")
	r := runHost(t, c, "")
	if r.Values["percent"] != 12.5 {
		t.Fatalf("after a reset got %v, want 12.5 from the fresh sample: %+v", r.Values["percent"], r)
	}
}

func TestCPUPerCore(t *testing.T) {
	prev := []cpu.TimesStat{{User: 0, Idle: 0}, {User: 0, Idle: 0}}
	cur := []cpu.TimesStat{{User: 100, Idle: 0}, {User: 0, Idle: 100}}
	c := scriptedCPU(t, `{"per_core":true}`, prev, cur)
	r := runHost(t, c, "")
	want := map[string]float64{"percent": 50, "cores": 2, "core0_percent": 100, "core1_percent": 0, "max_core_percent": 100}
	for k, v := range want {
		if r.Values[k] != v {
			t.Errorf("%s = %v, want %v", k, r.Values[k], v)
		}
	}
	if r.Message != "cpu 50%, busiest core 100%" {
		t.Errorf("message %q", r.Message)
	}
}

func TestCPUReadError(t *testing.T) {
	c := newHostChecker(t, "cpu", "", `{}`).(*cpuChecker)
	c.read = func(context.Context, bool) ([]cpu.TimesStat, error) { return nil, errors.New("proc not mounted") }
	r := runHost(t, c, "")
	if r.Status != StatusProblem || r.Message != "read cpu times: proc not mounted" {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}
