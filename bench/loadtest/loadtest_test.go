package main

import (
	"io"
	"os"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		warmup  time.Duration
	}{
		{"defaults warm up one interval", []string{"-interval", "10s"}, false, 10 * time.Second},
		{"explicit warm-up", []string{"-warmup", "3s"}, false, 3 * time.Second},
		{"interval below 1s", []string{"-interval", "500ms"}, true, 0},
		{"no monitors", []string{"-n", "0"}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && cfg.warmup != tt.warmup {
				t.Errorf("warmup = %s, want %s", cfg.warmup, tt.warmup)
			}
		})
	}
}

// TestProcReaders reads this test process's own /proc entries: burning a
// little CPU must show up, and a running process has a resident set.
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
