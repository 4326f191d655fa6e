//go:build unix

package main

import "syscall"

type cpuSeconds struct{ user, sys float64 }

// cpuTime is the CPU this process used so far.
func cpuTime() cpuSeconds {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuSeconds{
		user: float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6,
		sys:  float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6,
	}
}
