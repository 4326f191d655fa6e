//go:build !linux

package checks

import (
	"context"

	"github.com/shirou/gopsutil/v4/mem"
)

func readMemory(ctx context.Context) (memoryUsage, error) { return readMemoryGopsutil(ctx) }

func readSwap(ctx context.Context) (swapUsage, error) {
	s, err := mem.SwapMemoryWithContext(ctx)
	if err != nil {
		return swapUsage{}, err
	}
	return swapUsage{total: s.Total, used: min(s.Used, s.Total)}, nil
}
