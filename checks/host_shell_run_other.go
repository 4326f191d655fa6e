//go:build !unix && !windows

package checks

import (
	"os"
	"os/exec"
)

// shellCommand on a platform without a known shell names one that does
// not exist, so the check reports that it could not start.
func shellCommand(line string) *exec.Cmd {
	return exec.Command("/nonexistent/shell-commands-are-not-supported-here", line)
}

func killShellTree(p *os.Process) error { return p.Kill() }

func stopShellLeftovers(*os.Process) {}

func shellSignal(*os.ProcessState) string { return "" }
