//go:build !windows

package checks

import (
	"context"
	"sync/atomic"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/load"
)

// hostCoreCount caches the number of logical cores once known: it does
// not change while the agent runs (a hot-plugged core is seen after a
// restart).
var hostCoreCount atomic.Int64

func hostCores(ctx context.Context) (int, error) {
	if n := hostCoreCount.Load(); n > 0 {
		return int(n), nil
	}
	n, err := cpu.CountsWithContext(ctx, true)
	if err != nil {
		return 0, err
	}
	hostCoreCount.Store(int64(n))
	return n, nil
}

func readLoad(ctx context.Context) (loadAverage, error) {
	a, err := load.AvgWithContext(ctx)
	if err != nil {
		return loadAverage{}, err
	}
	n, err := hostCores(ctx)
	if err != nil {
		return loadAverage{}, err
	}
	return loadAverage{load1: a.Load1, load5: a.Load5, load15: a.Load15, cores: n}, nil
}
