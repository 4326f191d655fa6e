package fim

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// ioprio_set(2) values: the idle class gets disk time only when no other
// process wants it.
const (
	ioprioWhoProcess = 1
	ioprioClassIdle  = 3
	ioprioClassShift = 13
	lowNice          = 19
)

// lowerThreadPriority pins the calling goroutine to its OS thread and
// gives that thread the lowest CPU priority (nice 19) and the idle I/O
// class. Linux applies both per thread, so the agent's other goroutines
// keep their priority. The caller must not unlock the thread: when the
// goroutine returns still locked, the Go runtime ends the thread, so no
// other goroutine ever runs on a thread left at low priority. Failures
// are ignored: a scan at normal priority is still a correct scan.
func lowerThreadPriority() {
	runtime.LockOSThread()
	tid := unix.Gettid()
	_ = unix.Setpriority(unix.PRIO_PROCESS, tid, lowNice)
	_, _, _ = unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioClassIdle<<ioprioClassShift)
}
