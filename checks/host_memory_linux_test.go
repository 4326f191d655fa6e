package checks

import (
	"context"
	"strings"
	"testing"

	"github.com/shirou/gopsutil/v4/mem"
)

func TestParseMeminfo(t *testing.T) {
	const kib = 1024
	tests := []struct {
		name    string
		in      string
		want    memoryUsage
		ok      bool
		wantErr string
	}{
		{"linux 6", "MemTotal:       16318412 kB\nMemFree:         1071612 kB\nMemAvailable:   11489420 kB\nBuffers:          589724 kB\n",
			memoryUsage{total: 16318412 * kib, available: 11489420 * kib}, true, ""},
		{"no MemAvailable (before 3.14)", "MemTotal:  2048 kB\nMemFree:  1024 kB\n", memoryUsage{total: 2048 * kib}, false, ""},
		{"available above total is capped", "MemTotal: 100 kB\nMemAvailable: 200 kB\n", memoryUsage{total: 100 * kib, available: 100 * kib}, true, ""},
		{"no unit", "MemTotal: 4096\nMemAvailable: 1024\n", memoryUsage{total: 4096, available: 1024}, true, ""},
		{"no MemTotal", "MemAvailable: 1 kB\n", memoryUsage{}, false, "no MemTotal"},
		{"garbage value", "MemTotal: lots kB\n", memoryUsage{}, false, "meminfo: MemTotal"},
		{"empty", "", memoryUsage{}, false, "no MemTotal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := parseMeminfo([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || ok != tt.ok {
				t.Fatalf("got %+v ok=%v err=%v, want %+v ok=%v", got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

// TestReadMemoryAgreesWithGopsutil: the direct reading gives what gopsutil
// gave, to within what moves between two readings.
func TestReadMemoryAgreesWithGopsutil(t *testing.T) {
	ours, err := readMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := readMemoryGopsutil(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ours.total != theirs.total {
		t.Errorf("total %d, gopsutil says %d", ours.total, theirs.total)
	}
	if d := int64(ours.available) - int64(theirs.available); d > 64<<20 || d < -64<<20 {
		t.Errorf("available %d, gopsutil says %d", ours.available, theirs.available)
	}
}

func TestReadSwapAgreesWithGopsutil(t *testing.T) {
	ours, err := readSwap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := mem.SwapMemory()
	if err != nil {
		t.Fatal(err)
	}
	if ours.total != theirs.Total {
		t.Errorf("total %d, gopsutil says %d", ours.total, theirs.Total)
	}
	if d := int64(ours.used) - int64(theirs.Used); d > 64<<20 || d < -64<<20 {
		t.Errorf("used %d, gopsutil says %d", ours.used, theirs.Used)
	}
}
