package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTuneAgentRuntime(t *testing.T) {
	tests := []struct {
		name string
		gogc string
		want int
	}{
		{"default", "", agentGCPercent},
		{"the operator's GOGC wins", "150", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := debug.SetGCPercent(100)
			rate := runtime.MemProfileRate
			t.Cleanup(func() {
				debug.SetGCPercent(old)
				runtime.MemProfileRate = rate
			})
			tuneAgentRuntime(func(k string) string {
				if k == "GOGC" {
					return tt.gogc
				}
				return ""
			})
			if got := debug.SetGCPercent(100); got != tt.want {
				t.Errorf("GC percent %d, want %d", got, tt.want)
			}
			if runtime.MemProfileRate != 0 {
				t.Errorf("MemProfileRate %d, want 0", runtime.MemProfileRate)
			}
		})
	}
}
