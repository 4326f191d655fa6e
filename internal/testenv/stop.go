package testenv

import (
	"os"
	"syscall"
	"time"
)

// stopProcess asks p to stop (SIGTERM), waits until exited is closed, and
// kills p if it is still running after grace. It returns at once when p
// has already exited.
func stopProcess(p *os.Process, exited <-chan struct{}, grace time.Duration) {
	if p == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
		_ = p.Kill()
		<-exited
	}
}
