//go:build unix

package checks

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// shellCommand is `/bin/sh -c LINE` from the root directory, in a new
// process group whose id is the shell's pid, so the group can be killed
// as a whole.
func shellCommand(line string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// killShellTree kills the shell's whole process group at once, so a
// child that would outlive the shell goes with it.
func killShellTree(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// stopShellLeftovers kills what the command left running in its group
// once the shell has exited, so a check run every minute cannot pile up
// processes. While any member is left the kernel keeps the group's id
// from being reused, so the signal reaches only the leftovers; a daemon
// meant to outlive the command detaches itself (setsid) and is spared.
func stopShellLeftovers(p *os.Process) {
	_ = killShellTree(p)
}

// shellSignal is "signal 9 (killed)" when a signal ended the process.
func shellSignal(ps *os.ProcessState) string {
	if ps == nil {
		return ""
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	return fmt.Sprintf("signal %d (%s)", int(ws.Signal()), ws.Signal())
}
