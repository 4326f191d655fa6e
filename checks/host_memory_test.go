package checks

import (
	"context"
	"errors"
	"testing"
)

func TestMemoryLive(t *testing.T) {
	cases := []struct {
		name      string
		settings  string
		warn, err float64
		status    Status // "" when it depends on the host
	}{
		{"defaults", `{}`, 90, 98, ""},
		{"warning 0 flips", `{"warning_percent":0}`, 0, 98, ""},
		{"never", `{"warning_percent":100,"error_percent":100}`, 100, 100, StatusOK},
		{"error 0 flips", `{"warning_percent":0,"error_percent":0}`, 0, 0, StatusProblem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runHost(t, newHostChecker(t, "memory", "", tc.settings), "")
			used := wantHostValue(t, r, "used_percent", 0.1, 100)
			total := wantHostValue(t, r, "total_bytes", 1<<24, 1<<60)
			wantHostValue(t, r, "available_bytes", 0, total)
			wantStatusFor(t, r, used, tc.warn, tc.err)
			if tc.status != "" && r.Status != tc.status {
				t.Fatalf("status %s, want %s: %q", r.Status, tc.status, r.Message)
			}
		})
	}
}

func TestMemoryThresholds(t *testing.T) {
	const gib = 1 << 30
	cases := []struct {
		name     string
		settings string
		use      memoryUsage
		status   Status
		message  string
	}{
		{"calm", `{}`, memoryUsage{total: 16 * gib, available: 12 * gib}, StatusOK, "memory 25% used, 12 GiB available"},
		{"warning", `{}`, memoryUsage{total: 100 * gib, available: 7 * gib}, StatusWarning, "memory 93% used (warning above 90%), 7.0 GiB available"},
		{"problem", `{}`, memoryUsage{total: 100 * gib, available: 1 * gib}, StatusProblem, "memory 99% used (problem above 98%), 1.0 GiB available"},
		{"custom", `{"warning_percent":20,"error_percent":30}`, memoryUsage{total: 16 * gib, available: 12 * gib}, StatusWarning, "memory 25% used (warning above 20%), 12 GiB available"},
		{"no memory", `{}`, memoryUsage{}, StatusProblem, "read memory usage: the system reported no memory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHostChecker(t, "memory", "", tc.settings).(*memoryChecker)
			c.read = func(context.Context) (memoryUsage, error) { return tc.use, nil }
			r := runHost(t, c, "")
			if r.Status != tc.status || r.Message != tc.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tc.status, tc.message)
			}
		})
	}
}

func TestSwapLive(t *testing.T) {
	r := runHost(t, newHostChecker(t, "swap", "", `{}`), "")
	used := wantHostValue(t, r, "used_percent", 0, 100)
	total := wantHostValue(t, r, "total_bytes", 0, 1<<60)
	wantHostValue(t, r, "used_bytes", 0, total)
	if total == 0 && (r.Message != "no swap" || r.Status != StatusOK) {
		t.Fatalf("host without swap: %s %q", r.Status, r.Message)
	}
	wantStatusFor(t, r, used, 80, 95)
}

func TestSwapThresholds(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		name     string
		settings string
		use      swapUsage
		err      error
		status   Status
		message  string
	}{
		{"no swap", `{"warning_percent":0,"error_percent":0}`, swapUsage{}, nil, StatusOK, "no swap"},
		{"calm", `{}`, swapUsage{total: 1024 * mib, used: 100 * mib}, nil, StatusOK, "swap 9.8% used, 100 MiB of 1.0 GiB"},
		{"warning", `{}`, swapUsage{total: 1000 * mib, used: 850 * mib}, nil, StatusWarning, "swap 85% used (warning above 80%), 850 MiB of 1000 MiB"},
		{"problem", `{}`, swapUsage{total: 1000 * mib, used: 990 * mib}, nil, StatusProblem, "swap 99% used (problem above 95%), 990 MiB of 1000 MiB"},
		{"read error", `{}`, swapUsage{}, errors.New("permission denied"), StatusProblem, "read swap usage: permission denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHostChecker(t, "swap", "", tc.settings).(*swapChecker)
			c.read = func(context.Context) (swapUsage, error) { return tc.use, tc.err }
			r := runHost(t, c, "")
			if r.Status != tc.status || r.Message != tc.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tc.status, tc.message)
			}
		})
	}
}
