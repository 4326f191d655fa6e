package checks

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestProcessLive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process: the live cases assume linux process names")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(exe) // "checks.test"; the kernel keeps 15 characters
	if len(name) >= 15 {
		t.Skipf("process: test binary name %q is too long to test exact names", name)
	}
	// The build directory makes the path unique to this test run.
	own := "^" + regexp.QuoteMeta(exe) + "( |$)"
	cases := []struct {
		name, target, settings string
		status                 Status
		count                  float64 // -1: at least one
		message                string  // prefix
	}{
		{"own name", name, `{}`, StatusOK, -1, ""},
		{"own cmdline", own, `{"match":"cmdline"}`, StatusOK, 1, "1 process matching /"},
		{"too few", name, `{"min_count":100000}`, StatusProblem, -1, ""},
		{"at max", own, `{"match":"cmdline","min_count":0,"max_count":1}`, StatusOK, 1, "1 process matching"},
		{"absent", "no-such-process-" + strconv.Itoa(os.Getpid()), `{}`, StatusProblem, 0, "no process named no-such-process-"},
		{"absent allowed", "no-such-process", `{"min_count":0}`, StatusOK, 0, "no process named no-such-process"},
		{"bad regex", "(unclosed", `{"match":"cmdline"}`, StatusProblem, -2, "target is not a valid regular expression: missing closing )"},
		{"name is not a pattern", "checks.tes.", `{}`, StatusProblem, 0, "no process named checks.tes."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runHost(t, newHostChecker(t, "process", tc.target, tc.settings), tc.target)
			if r.Status != tc.status || !strings.HasPrefix(r.Message, tc.message) {
				t.Fatalf("got %s %q, want %s %q…", r.Status, r.Message, tc.status, tc.message)
			}
			switch n, ok := r.Values["count"]; {
			case tc.count == -2:
				if ok {
					t.Fatalf("count %v for a bad pattern", n)
				}
			case tc.count == -1 && n < 1, tc.count >= 0 && n != tc.count:
				t.Fatalf("count %v, want %v: %q", n, tc.count, r.Message)
			}
		})
	}
}

// TestProcessHelper is the child TestProcessAboveMax starts: it says it
// is running, then waits until its stdin closes.
func TestProcessHelper(t *testing.T) {
	if os.Getenv("VIGIL_PROCESS_HELPER") != "1" {
		t.Skip("process: helper child only")
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func TestProcessAboveMax(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process: the live cases assume linux")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Two children with an argument no other process has. Each says
	// "ready" once running: right after exec the kernel may still show an
	// empty command line.
	arg := "vigil-helper-" + strconv.Itoa(os.Getpid())
	for range 2 {
		cmd := exec.Command(exe, "-test.run=^TestProcessHelper$", "--", arg)
		cmd.Env = append(os.Environ(), "VIGIL_PROCESS_HELPER=1")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("helper said %q, %v", line, err)
		}
	}
	target := " -- " + arg + "$"
	r := runHost(t, newHostChecker(t, "process", target, `{"match":"cmdline","max_count":1}`), target)
	want := "2 processes matching /" + target + "/ (at most 1 expected)"
	if r.Status != StatusProblem || r.Message != want || r.Values["count"] != 2 {
		t.Fatalf("got %s %q %v, want problem %q", r.Status, r.Message, r.Values, want)
	}
}

func TestJudgeProcessCount(t *testing.T) {
	cases := []struct {
		name        string
		n, min, max int
		status      Status
		message     string
	}{
		{"one", 1, 1, 0, StatusOK, "1 process named nginx"},
		{"several", 4, 1, 0, StatusOK, "4 processes named nginx"},
		{"none", 0, 1, 0, StatusProblem, "no process named nginx (at least 1 expected)"},
		{"none allowed", 0, 0, 0, StatusOK, "no process named nginx"},
		{"below min", 2, 3, 0, StatusProblem, "2 processes named nginx (at least 3 expected)"},
		{"at max", 5, 1, 5, StatusOK, "5 processes named nginx"},
		{"above max", 6, 1, 5, StatusProblem, "6 processes named nginx (at most 5 expected)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, msg := judgeProcessCount(tc.n, tc.min, tc.max, "named nginx")
			if st != tc.status || msg != tc.message {
				t.Fatalf("got %s %q, want %s %q", st, msg, tc.status, tc.message)
			}
		})
	}
}

func TestProcessNameIs(t *testing.T) {
	cases := []struct {
		name, proc, target string
		windows, want      bool
	}{
		{"exact", "nginx", "nginx", false, true},
		{"case matters on unix", "Nginx", "nginx", false, false},
		{"prefix is not a match", "nginx-worker", "nginx", false, false},
		{"windows exe optional", "NGINX.EXE", "nginx", true, true},
		{"windows exe given", "nginx.exe", "Nginx.exe", true, true},
		{"windows other", "nginx2.exe", "nginx", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := processNameIs(tc.proc, tc.target, tc.windows); got != tc.want {
				t.Fatalf("processNameIs(%q, %q, %v) = %v", tc.proc, tc.target, tc.windows, got)
			}
		})
	}
}

func TestProcessHonoursDeadline(t *testing.T) {
	c := newHostChecker(t, "process", "nginx", `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := c.Check(ctx, "nginx")
	if r.Status != StatusProblem || !strings.Contains(r.Message, "timed out") {
		t.Fatalf("cancelled check: %s %q", r.Status, r.Message)
	}
}
