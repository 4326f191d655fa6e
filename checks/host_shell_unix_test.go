//go:build unix

package checks

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShellTimeoutKillsGroup starts a child that would outlive the
// shell; at the deadline the whole process group must be gone.
func TestShellTimeoutKillsGroup(t *testing.T) {
	skipUnlessUnix(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	r := runShellLine(t, "echo started; sleep 30 & echo $! > "+pidFile+"; sleep 30", `{}`, 500*time.Millisecond)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the check took %s, the deadline was 500ms", took)
	}
	if r.Status != StatusProblem || r.Message != "timed out after 500ms: started" {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	wantGone(t, readPid(t, pidFile))
}

// TestShellLeftoversStopped: what a command leaves running in its group
// is stopped when it exits, and does not hold the check up.
func TestShellLeftoversStopped(t *testing.T) {
	skipUnlessUnix(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	r := runShellLine(t, "sleep 30 & echo $! > "+pidFile+"; echo done", `{}`, 20*time.Second)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the check took %s", took)
	}
	if r.Status != StatusOK || r.Message != "exit 0: done" {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	wantGone(t, readPid(t, pidFile))
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		t.Fatalf("pid file %q: %v", b, err)
	}
	return pid
}

// wantGone waits briefly for pid to be gone: no such process, or a
// zombie waiting for a parent that is not ours to reap it.
func wantGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) || isZombie(pid) {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d still runs (signal 0: %v)", pid, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && strings.HasPrefix(rest, "Z")
}
