//go:build !linux

package checks

import (
	"context"

	"github.com/shirou/gopsutil/v4/process"
)

// listProcesses walks the process table. A process that exits or hides
// its details meanwhile is skipped; ctx is checked between processes.
func listProcesses(ctx context.Context, q processQuery) (count, seen int, err error) {
	pids, err := process.PidsWithContext(ctx)
	if err != nil {
		return 0, 0, err
	}
	p := &process.Process{}
	for _, pid := range pids {
		if err := ctx.Err(); err != nil {
			return count, seen, err
		}
		// A fresh value per pid: Process caches what it read.
		*p = process.Process{Pid: pid}
		var s string
		if q.cmdline {
			s, err = p.CmdlineWithContext(ctx)
		} else {
			s, err = p.NameWithContext(ctx)
		}
		seen++
		if err == nil && q.match(s) {
			count++
		}
	}
	return count, seen, nil
}
