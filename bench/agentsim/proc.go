package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ. Go cannot ask sysconf without cgo; Linux has used
// 100 on every mainstream architecture for decades.
const clockTicks = 100

// cpuSeconds returns the process's user+system CPU time from /proc. (The
// same reader as bench/loadtest's: a main package cannot be imported.)
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	// The command name is in parentheses and may hold spaces: split after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("read stat: no command field")
	}
	f := strings.Fields(string(b[i+1:]))
	// Fields after the name start at field 3 (state); utime and stime are
	// fields 14 and 15.
	if len(f) < 13 {
		return 0, errors.New("read stat: too few fields")
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	return (ut + st) / clockTicks, nil
}

// memory is a process's resident memory from /proc/PID/status, in KiB.
// VmRSS is RssAnon (heap, stacks) plus RssFile (mapped files: for the
// server, the pages of its bbolt file it has touched, which the kernel
// may drop at will) plus RssShmem.
type memory struct {
	hwm, rss, anon, file int64
}

// memoryKB returns VmHWM (peak RSS) and VmRSS from /proc/PID/status.
func memoryKB(pid int) (hwm, rss int64, err error) {
	m, err := readMemory(pid)
	return m.hwm, m.rss, err
}

// readMemory reads VmHWM, VmRSS, RssAnon and RssFile of pid.
func readMemory(pid int) (memory, error) {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, fmt.Errorf("read status: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			m.hwm = n
		case "VmRSS":
			m.rss = n
		case "RssAnon":
			m.anon = n
		case "RssFile":
			m.file = n
		}
	}
	return m, nil
}
