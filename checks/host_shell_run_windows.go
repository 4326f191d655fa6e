//go:build windows

package checks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// shellCommand is `cmd /D /S /C "LINE"` from the system drive's root.
// cmd.exe does its own unquoting, so the command line is passed whole:
// /S strips just the outer quotes and keeps LINE as written, and /D
// skips AutoRun commands from the registry.
func shellCommand(line string) *exec.Cmd {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	comspec := filepath.Join(root, "System32", "cmd.exe")
	cmd := exec.Command(comspec)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CmdLine:       syscall.EscapeArg(comspec) + ` /D /S /C "` + line + `"`,
		CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP,
	}
	cmd.Dir = filepath.VolumeName(root) + `\`
	return cmd
}

// killShellTree ends cmd.exe and every process it started (taskkill
// walks the tree by parent id), then cmd.exe itself in case taskkill
// could not run.
func killShellTree(p *os.Process) error {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	_ = exec.Command(filepath.Join(root, "System32", "taskkill.exe"), "/T", "/F", "/PID", strconv.Itoa(p.Pid)).Run()
	return p.Kill()
}

// stopShellLeftovers does nothing on Windows: once cmd.exe has exited,
// its children no longer form a tree that can be found by parent id.
func stopShellLeftovers(*os.Process) {}

// shellSignal is always "": Windows has no signals.
func shellSignal(*os.ProcessState) string { return "" }
