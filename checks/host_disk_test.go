package checks

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiskLive(t *testing.T) {
	cases := []struct {
		name      string
		settings  string
		warn, err float64
		status    Status
	}{
		{"defaults", `{}`, 90, 98, ""},
		{"never", `{"warning_percent":100,"error_percent":100}`, 100, 100, StatusOK},
		{"warning 0 flips", `{"warning_percent":0}`, 0, 98, ""},
		{"huge min free", `{"warning_percent":100,"error_percent":100,"min_free_bytes":9223372036854775807}`, 100, 100, StatusProblem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runHost(t, newHostChecker(t, "disk", "/", tc.settings), "/")
			used := wantHostValue(t, r, "used_percent", 0.1, 100)
			total := wantHostValue(t, r, "total_bytes", 1<<20, 1<<62)
			wantHostValue(t, r, "free_bytes", 0, total)
			if !strings.HasPrefix(r.Message, "/ ") {
				t.Fatalf("message %q does not start with the mount point", r.Message)
			}
			if tc.status == "" {
				wantStatusFor(t, r, used, tc.warn, tc.err)
			} else if r.Status != tc.status {
				t.Fatalf("status %s, want %s: %q", r.Status, tc.status, r.Message)
			}
		})
	}
}

func TestDiskBadMountPoint(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "not-there")
	r := runHost(t, newHostChecker(t, "disk", missing, `{}`), missing)
	if r.Status != StatusProblem || r.Message != "no such mount point "+missing {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}

func TestDiskThresholds(t *testing.T) {
	const gib = 1 << 30
	cases := []struct {
		name     string
		settings string
		use      diskUsage
		status   Status
		message  string
		inodes   bool
	}{
		{"calm", `{}`, diskUsage{total: 100 * gib, used: 40 * gib, free: 60 * gib, inodesTotal: 1000, inodesUsed: 10}, StatusOK, "/data 40% used, 60 GiB free", true},
		{"space warning", `{}`, diskUsage{total: 100 * gib, used: 91 * gib, free: 9 * gib}, StatusWarning, "/data 91% used (warning above 90%), 9.0 GiB free", false},
		{"space problem", `{}`, diskUsage{total: 100 * gib, used: 99 * gib, free: 1 * gib}, StatusProblem, "/data 99% used (problem above 98%), 1.0 GiB free", false},
		{"min free", `{"min_free_bytes":2147483648}`, diskUsage{total: 1000 * gib, used: 999 * gib, free: 1 * gib}, StatusProblem, "/data 99.9% used (problem above 98%), 1.0 GiB free (problem below 2.0 GiB)", false},
		{"min free only", `{"warning_percent":100,"error_percent":100,"min_free_bytes":10737418240}`, diskUsage{total: 100 * gib, used: 95 * gib, free: 5 * gib}, StatusProblem, "/data 95% used, 5.0 GiB free (problem below 10 GiB)", false},
		{"inodes warning", `{}`, diskUsage{total: 100 * gib, used: 10 * gib, free: 90 * gib, inodesTotal: 100, inodesUsed: 95}, StatusWarning, "/data 10% used, 90 GiB free, inodes 95% used (warning above 90%)", true},
		{"not a disk", `{}`, diskUsage{}, StatusProblem, "/data has no size: not a disk file system", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHostChecker(t, "disk", "/data", tc.settings).(*diskChecker)
			c.read = func(_ context.Context, path string) (diskUsage, error) {
				if path != "/data" {
					t.Errorf("read %q", path)
				}
				return tc.use, nil
			}
			r := runHost(t, c, "/data")
			if r.Status != tc.status || r.Message != tc.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tc.status, tc.message)
			}
			if _, ok := r.Values["inodes_used_percent"]; ok != tc.inodes {
				t.Fatalf("inodes value present %v, want %v: %v", ok, tc.inodes, r.Values)
			}
		})
	}
}
