package main

import (
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		warmup  time.Duration
		env     int
	}{
		{"defaults warm up at least 30s", []string{"-interval", "10s"}, false, 30 * time.Second, 0},
		{"a long interval warms up one interval", []string{"-interval", "1m"}, false, time.Minute, 0},
		{"explicit warm-up", []string{"-warmup", "3s"}, false, 3 * time.Second, 0},
		{"server environment", []string{"-server-env", "GOGC=50", "-server-env", "GOMEMLIMIT=250MiB"}, false, 30 * time.Second, 2},
		{"server environment without =", []string{"-server-env", "GOGC"}, true, 0, 0},
		{"interval below 1s", []string{"-interval", "500ms"}, true, 0, 0},
		{"no agents", []string{"-agents", "0"}, true, 0, 0},
		{"no monitors", []string{"-monitors-per-agent", "0"}, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (cfg.warmup != tt.warmup || len(cfg.env) != tt.env) {
				t.Errorf("warmup %s env %q, want %s and %d entries", cfg.warmup, cfg.env, tt.warmup, tt.env)
			}
		})
	}
}

func TestDistOf(t *testing.T) {
	xs := make([]float64, 0, 200)
	for i := 200; i >= 1; i-- {
		xs = append(xs, float64(i))
	}
	tests := []struct {
		name string
		in   []float64
		want dist
	}{
		{"empty", nil, dist{}},
		{"one", []float64{7}, dist{n: 1, p50: 7, p99: 7, max: 7}},
		{"1 to 200, unsorted", xs, dist{n: 200, p50: 100, p99: 198, max: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := distOf(tt.in); got != tt.want {
				t.Errorf("distOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSimulatedResultsAreValid: every simulated check type makes results
// the wire accepts, with values that move, one interval apart.
func TestSimulatedResultsAreValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	for _, spec := range hostMonitors {
		t.Run(spec.typ, func(t *testing.T) {
			c := newSimCheck("42", spec.typ, 10*time.Second, now, rng)
			if c.next.Before(now) || !c.next.Before(now.Add(10*time.Second)) {
				t.Errorf("first run at %v, want within one interval of %v", c.next, now)
			}
			first := c.next
			for i := range 50 {
				at := first.Add(time.Duration(i) * 10 * time.Second)
				r := c.run(at, rng)
				mr := wire.MonitorResult{MonitorID: c.id, Result: r}
				if err := mr.ValidateAt(at); err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
				if len(r.Values) == 0 || r.Message == "" {
					t.Fatalf("run %d: no values or message: %+v", i, r)
				}
				if want := at.Add(10 * time.Second); !c.next.Equal(want) {
					t.Fatalf("run %d: next at %v, want %v", i, c.next, want)
				}
			}
		})
	}
}

// TestProcReaders reads this test process's own /proc entries.
func TestProcReaders(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	pid := os.Getpid()
	before, err := cpuSeconds(pid)
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	after, err := cpuSeconds(pid)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU seconds did not grow after 100 ms of spinning: %v → %v", before, after)
	}
	hwm, rss, err := memoryKB(pid)
	if err != nil || hwm <= 0 || rss <= 0 || rss > hwm {
		t.Errorf("memoryKB = hwm %d rss %d err %v; want 0 < rss ≤ hwm", hwm, rss, err)
	}
}
