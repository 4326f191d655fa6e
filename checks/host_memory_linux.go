package checks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// The memory and swap checks read the kernel's figures directly: gopsutil
// parses every line of /proc/meminfo (and /proc/vmstat for swap) into
// fields these checks do not use, which took 5 to 10 times the time and
// some 200 to 400 allocations a run.

// readMemory reads MemTotal and MemAvailable from /proc/meminfo (under
// $HOST_PROC, like the other host types). A kernel before 3.14 has no
// MemAvailable: gopsutil then estimates it.
func readMemory(ctx context.Context) (memoryUsage, error) {
	b, err := os.ReadFile(procRoot() + "/meminfo")
	if err != nil {
		return memoryUsage{}, err
	}
	m, ok, err := parseMeminfo(b)
	if err != nil {
		return memoryUsage{}, err
	}
	if !ok {
		return readMemoryGopsutil(ctx)
	}
	return m, nil
}

// parseMeminfo returns MemTotal and MemAvailable of a /proc/meminfo; ok is
// false when MemAvailable is missing.
func parseMeminfo(b []byte) (m memoryUsage, ok bool, err error) {
	var haveTotal bool
	for line := range bytes.Lines(b) {
		name, rest, found := bytes.Cut(line, []byte(":"))
		if !found {
			continue
		}
		var dst *uint64
		switch string(name) {
		case "MemTotal":
			dst, haveTotal = &m.total, true
		case "MemAvailable":
			dst, ok = &m.available, true
		default:
			continue
		}
		if *dst, err = meminfoBytes(rest); err != nil {
			return memoryUsage{}, false, errors.New("meminfo: " + string(name) + ": " + err.Error())
		}
	}
	if !haveTotal {
		return memoryUsage{}, false, errors.New("meminfo: no MemTotal")
	}
	m.available = min(m.available, m.total)
	return m, ok, nil
}

// meminfoBytes parses a meminfo value such as "   16318412 kB".
func meminfoBytes(v []byte) (uint64, error) {
	v = bytes.TrimSpace(v)
	unit := uint64(1)
	if n, found := bytes.CutSuffix(v, []byte(" kB")); found {
		v, unit = n, 1024
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, err
	}
	return n * unit, nil
}

// readSwap asks the kernel (sysinfo) for the swap space, as gopsutil
// does, without also reading /proc/vmstat for counters this check does
// not report.
func readSwap(context.Context) (swapUsage, error) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return swapUsage{}, err
	}
	unit := uint64(si.Unit)
	total, free := uint64(si.Totalswap)*unit, uint64(si.Freeswap)*unit
	return swapUsage{total: total, used: total - min(free, total)}, nil
}
