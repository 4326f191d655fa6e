package scheduler

import (
	"testing"
	"time"
)

func TestLagRing(t *testing.T) {
	tests := []struct {
		name              string
		n                 int // lags added: 1ms, 2ms, … n ms
		p50, p99, highest time.Duration
		size              int
	}{
		{"empty", 0, 0, 0, 0, 0},
		{"a few, kept small", 3, 2 * time.Millisecond, 3 * time.Millisecond, 3 * time.Millisecond, 3},
		{"full", lagWindow, 2048 * time.Millisecond, 4056 * time.Millisecond, 4096 * time.Millisecond, lagWindow},
		// Only the most recent lagWindow count: 905 ms … 5000 ms.
		{"wrapped", 5000, 2952 * time.Millisecond, 4960 * time.Millisecond, 5000 * time.Millisecond, lagWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r lagRing
			for i := 1; i <= tt.n; i++ {
				r.add(time.Duration(i) * time.Millisecond)
			}
			p50, p99, highest := r.summary()
			if p50 != tt.p50 || p99 != tt.p99 || highest != tt.highest {
				t.Errorf("p50 %v p99 %v max %v, want %v %v %v", p50, p99, highest, tt.p50, tt.p99, tt.highest)
			}
			if len(r.buf) != tt.size || cap(r.buf) > lagWindow {
				t.Errorf("ring holds %d (capacity %d), want %d and at most %d", len(r.buf), cap(r.buf), tt.size, lagWindow)
			}
		})
	}
}
