package checks

import (
	"context"
	"os"
	"strings"
	"time"
)

// shellDrainWait bounds how long output is still read after the command
// (and what it left in its process group) is gone: something that
// detached itself may hold the pipe open for good.
const shellDrainWait = time.Second

// shellRun is what running one command line did.
type shellRun struct {
	output   []byte        // stdout and stderr merged, the first shellCaptureBytes
	exitCode int           // -1 when a signal ended it
	signal   string        // "signal 9 (killed)" when a signal ended it
	took     time.Duration // from start to exit
	timedOut bool          // ctx ended first and the command was killed
	startErr error         // it could not start; nothing ran
}

// runShell runs line with the platform's shell in its own process group,
// kills the whole group when ctx ends, and collects the merged output.
// The command gets the agent's environment without VIGIL_* variables,
// an empty stdin and the file system root as working directory.
func runShell(ctx context.Context, line string) shellRun {
	if ctx.Err() != nil {
		return shellRun{exitCode: -1, timedOut: true}
	}
	// An *os.File as Stdout and Stderr makes exec hand the child this
	// pipe directly, so Wait returns when the shell exits, whatever it
	// left running with the pipe open.
	pr, pw, err := os.Pipe()
	if err != nil {
		return shellRun{startErr: err}
	}
	defer pr.Close()
	cmd := shellCommand(line)
	cmd.Env = shellEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = pw, pw
	start := time.Now()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return shellRun{startErr: err}
	}
	var out shellCapture
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		out.readAll(pr)
	}()
	stop := context.AfterFunc(ctx, func() { _ = killShellTree(cmd.Process) })
	_ = cmd.Wait() // the exit status is read from ProcessState
	took := time.Since(start)
	timedOut := !stop()
	stopShellLeftovers(cmd.Process)
	select {
	case <-copied:
	case <-time.After(shellDrainWait):
		pr.Close()
		<-copied
	}
	r := shellRun{output: out.buf, exitCode: cmd.ProcessState.ExitCode(), took: took, timedOut: timedOut}
	r.signal = shellSignal(cmd.ProcessState)
	return r
}

// shellEnv is environ without the agent's own VIGIL_* variables: the
// join token and the like are none of a command's business. Names are
// compared without case, as Windows does.
func shellEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if len(kv) >= 6 && strings.EqualFold(kv[:6], "VIGIL_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
