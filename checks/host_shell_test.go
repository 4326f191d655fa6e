package checks

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var shellValidationCases = []validationCase{
	{"defaults", "check-backup", `{}`, ""},
	{"null settings", "a", `null`, ""},
	{"everything", "disk.root_1", `{"use_exit_code":false,"range":"0..100","warning_range":"0..80","value_regex":"used=([0-9.]+)","contains":"OK","match_means":"ok"}`, ""},
	{"regex problem", "x", `{"regex":"ERROR|FATAL","match_means":"problem"}`, ""},
	{"open ranges", "x", `{"range":"-5.5..","warning_range":"0..1e3"}`, ""},
	{"warning range alone", "x", `{"warning_range":"..10"}`, ""},
	{"no target", "", `{}`, "target"},
	{"uppercase target", "Check", `{}`, "target"},
	{"target with space", "check backup", `{}`, "target"},
	{"target starts with dash", "-rf", `{}`, "target"},
	{"target with slash", "../bin/sh", `{}`, "target"},
	{"target too long", strings.Repeat("a", MaxCommandNameLen+1), `{}`, "target"},
	{"command line in settings", "x", `{"command":"rm -rf /"}`, "settings.command"},
	{"arguments in settings", "x", `{"args":["-v"]}`, "settings.args"},
	{"exit code not bool", "x", `{"use_exit_code":"yes"}`, "settings.use_exit_code"},
	{"range without dots", "x", `{"range":"0-100"}`, "settings.range"},
	{"range without bounds", "x", `{"range":".."}`, "settings.range"},
	{"range backwards", "x", `{"range":"5..1"}`, "settings.range"},
	{"range not a number", "x", `{"range":"a..5"}`, "settings.range"},
	{"range NaN", "x", `{"range":"NaN..1"}`, "settings.range"},
	{"range infinite", "x", `{"range":"..Inf"}`, "settings.range"},
	{"range not a string", "x", `{"range":5}`, "settings.range"},
	{"warning range bad", "x", `{"warning_range":"x"}`, "settings.warning_range"},
	{"warning range open where range is not", "x", `{"range":"0..100","warning_range":"..50"}`, "settings.warning_range"},
	{"warning range beyond range", "x", `{"range":"0..100","warning_range":"10..150"}`, "settings.warning_range"},
	{"value regex without group", "x", `{"value_regex":"[0-9]+"}`, "settings.value_regex"},
	{"value regex with two groups", "x", `{"value_regex":"(a)(b)"}`, "settings.value_regex"},
	{"value regex invalid", "x", `{"value_regex":"(unclosed"}`, "settings.value_regex"},
	{"contains and regex", "x", `{"contains":"a","regex":"b"}`, "settings.regex"},
	{"regex invalid", "x", `{"regex":"[z-a]"}`, "settings.regex"},
	{"match means bad", "x", `{"contains":"a","match_means":"warning"}`, "settings.match_means"},
	{"match means problem without pattern", "x", `{"match_means":"problem"}`, "settings.match_means"},
}

func init() { validationCases["shell"] = shellValidationCases }

// shellAllowing returns a shell checker whose host allows the commands
// in allowed (name -> command line).
func shellAllowing(t *testing.T, target, settings string, allowed map[string]string) Checker {
	t.Helper()
	env := Env{Command: func(name string) (string, bool) {
		line, ok := allowed[name]
		return line, ok
	}}
	c, err := NewWithEnv("shell", target, json.RawMessage(settings), env)
	if err != nil {
		t.Fatalf("new shell: %v", err)
	}
	return c
}

// runShellLine runs line as the allowed command "t" with settings.
func runShellLine(t *testing.T, line, settings string, timeout time.Duration) Result {
	t.Helper()
	c := shellAllowing(t, "t", settings, map[string]string{"t": line})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := c.Check(ctx, "t")
	if !r.Status.Valid() || r.Message == "" {
		t.Fatalf("result without status or message: %+v", r)
	}
	return r
}

func skipUnlessUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("shell: the live cases run /bin/sh")
	}
}

func TestShellLive(t *testing.T) {
	skipUnlessUnix(t)
	cases := []struct {
		name, line, settings string
		status               Status
		message              string  // exact
		exit                 float64 // the exit_code value
		value                string  // the value value, "" for none
	}{
		{"ok", `echo "OK - backup is 2 h old"`, `{}`, StatusOK, "exit 0: OK - backup is 2 h old", 0, ""},
		{"warning", `echo "WARNING - backup is 26 h old"; exit 1`, `{}`, StatusWarning, "exit 1: WARNING - backup is 26 h old", 1, ""},
		{"critical", `echo "CRITICAL - backup is 30 h old"; exit 2`, `{}`, StatusProblem, "exit 2: CRITICAL - backup is 30 h old", 2, ""},
		{"unknown", `echo "UNKNOWN - no backup dir" >&2; exit 3`, `{}`, StatusProblem, "exit 3: UNKNOWN - no backup dir", 3, ""},
		{"killed", `echo before; kill -9 $$`, `{}`, StatusProblem, "killed by signal 9 (killed): before", -1, ""},
		{"not found", `no-such-command-vigil`, `{}`, StatusProblem, "", 127, ""},
		{"exit code off", `echo fine; exit 2`, `{"use_exit_code":false}`, StatusOK, "exit 2: fine", 2, ""},
		{"no output", `true`, `{}`, StatusOK, "exit 0: (no output)", 0, ""},
		{"stdout and stderr in order", `echo one; echo two >&2; echo three`, `{}`, StatusOK, "exit 0: one two three", 0, ""},
		{"white space and control characters", `printf '  a\t\tb\001c\n\n  d  \r\n'`, `{}`, StatusOK, "exit 0: a b\uFFFDc d", 0, ""},
		{"in range", `echo "load 42.5 (5 min)"`, `{"range":"0..50"}`, StatusOK, "exit 0, value 42.5 in 0..50: load 42.5 (5 min)", 0, "42.5"},
		{"above range", `echo "load 42.5"`, `{"range":"..40"}`, StatusProblem, "value 42.5 not in ..40: load 42.5", 0, "42.5"},
		{"below range", `echo "free -3 GB"`, `{"range":"0.."}`, StatusProblem, "value -3 not in 0..: free -3 GB", 0, "-3"},
		{"dash glued to a word is no sign", `echo "load-5"`, `{"range":"0..10"}`, StatusOK, "exit 0, value 5 in 0..10: load-5", 0, "5"},
		{"warning range", `echo 45`, `{"range":"0..50","warning_range":"0..40"}`, StatusWarning, "value 45 not in warning range 0..40: 45", 0, "45"},
		{"exponent", `echo "rate 1.5e3/s"`, `{"range":"..1000"}`, StatusProblem, "value 1500 not in ..1000: rate 1.5e3/s", 0, "1500"},
		{"no number", `echo "all quiet"`, `{"range":"0..1"}`, StatusProblem, "no number in the output: all quiet", 0, ""},
		{"value regex", `echo "3 disks, used=97.5%"`, `{"range":"..90","value_regex":"used=([0-9.]+)"}`, StatusProblem, "value 97.5 not in ..90: 3 disks, used=97.5%", 0, "97.5"},
		{"value regex finds nothing", `echo "3 disks"`, `{"range":"..90","value_regex":"used=([0-9.]+)"}`, StatusProblem, "no number in the output: 3 disks", 0, ""},
		{"value regex alone only records", `echo "used=12"`, `{"value_regex":"used=([0-9]+)"}`, StatusOK, "exit 0: used=12", 0, "12"},
		{"worst part decides", `echo "99 items"; exit 1`, `{"range":"..50"}`, StatusProblem, "value 99 not in ..50: 99 items", 1, "99"},
		{"equal parts both named", `echo "99 items"; exit 2`, `{"range":"..50"}`, StatusProblem, "exit 2, value 99 not in ..50: 99 items", 2, "99"},
		{"contains", `echo "status: OK"`, `{"contains":"OK"}`, StatusOK, `exit 0, contains "OK": status: OK`, 0, ""},
		{"contains missing", `echo "status: degraded"`, `{"contains":"OK"}`, StatusProblem, `does not contain "OK": status: degraded`, 0, ""},
		{"contains means problem", `echo "1 ERROR found"`, `{"contains":"ERROR","match_means":"problem"}`, StatusProblem, `contains "ERROR": 1 ERROR found`, 0, ""},
		{"absent problem is ok", `echo "clean"`, `{"contains":"ERROR","match_means":"problem"}`, StatusOK, `exit 0, does not contain "ERROR": clean`, 0, ""},
		{"regex", `echo "replication lag 0s"`, `{"regex":"lag [0-9]s$"}`, StatusOK, `exit 0, matches /lag [0-9]s$/: replication lag 0s`, 0, ""},
		{"regex missing", `echo "replication lag 12s"`, `{"regex":"lag [0-9]s$"}`, StatusProblem, `does not match /lag [0-9]s$/: replication lag 12s`, 0, ""},
		{"regex means problem", `echo "FATAL: disk"`, `{"regex":"ERROR|FATAL","match_means":"problem"}`, StatusProblem, `matches /ERROR|FATAL/: FATAL: disk`, 0, ""},
		{"nothing judged", `echo hi; exit 5`, `{"use_exit_code":false}`, StatusOK, "exit 5: hi", 5, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runShellLine(t, tc.line, tc.settings, 20*time.Second)
			if r.Status != tc.status || tc.message != "" && r.Message != tc.message {
				t.Fatalf("got %s %q, want %s %q", r.Status, r.Message, tc.status, tc.message)
			}
			if got := r.Values["exit_code"]; got != tc.exit {
				t.Errorf("exit_code %v, want %v", got, tc.exit)
			}
			if d, ok := r.Values["duration_ms"]; !ok || d < 0 || d > r.LatencyMS+1 {
				t.Errorf("duration_ms %v (ok %v), latency %v", d, ok, r.LatencyMS)
			}
			v, ok := r.Values["value"]
			switch {
			case tc.value == "" && ok:
				t.Errorf("value %v, want none", v)
			case tc.value != "" && (!ok || strconv.FormatFloat(v, 'g', -1, 64) != tc.value):
				t.Errorf("value %v (ok %v), want %s", v, ok, tc.value)
			}
		})
	}
}

// TestShellNotAllowed runs a command that would create a file under
// every way of not allowing it, and checks that it never ran.
func TestShellNotAllowed(t *testing.T) {
	skipUnlessUnix(t)
	mark := filepath.Join(t.TempDir(), "ran")
	line := "touch " + mark
	checkers := map[string]Checker{
		"server (no env)": newHostChecker(t, "shell", "touch-it", `{}`),
		"nil command":     func() Checker { c, _ := NewWithEnv("shell", "touch-it", nil, Env{}); return c }(),
		"other name":      shellAllowing(t, "touch-it", `{}`, map[string]string{"touch-it-too": line}),
	}
	for name, c := range checkers {
		t.Run(name, func(t *testing.T) {
			r := runHost(t, c, "touch-it")
			want := `command "touch-it" is not allowed on this agent: allow.d does not name it, or the agent refused allow.d (its log says why)`
			if r.Status != StatusProblem || r.Message != want {
				t.Fatalf("got %s %q, want problem %q", r.Status, r.Message, want)
			}
			if _, err := os.Stat(mark); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the command ran: %s exists (%v)", mark, err)
			}
		})
	}
	// The same checker runs it once the name is allowed: the test can fail.
	r := runHost(t, shellAllowing(t, "touch-it", `{}`, map[string]string{"touch-it": line}), "touch-it")
	if _, err := os.Stat(mark); r.Status != StatusOK || err != nil {
		t.Fatalf("allowed run: %s %q, %v", r.Status, r.Message, err)
	}
}

// TestShellHugeOutput: 16 MiB of output is read to its end without
// blocking the command, and only 64 KiB is kept.
func TestShellHugeOutput(t *testing.T) {
	skipUnlessUnix(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	run := runShell(ctx, `head -c 16777216 /dev/zero | tr '\0' x; echo end >&2; exit 1`)
	if run.timedOut || run.exitCode != 1 || len(run.output) != shellCaptureBytes {
		t.Fatalf("timed out %v, exit %d, kept %d bytes, want exit 1 and %d", run.timedOut, run.exitCode, len(run.output), shellCaptureBytes)
	}
	t.Logf("16 MiB of output judged in %s", time.Since(start).Round(time.Millisecond))
	r := runShellLine(t, `head -c 16777216 /dev/zero | tr '\0' x`, `{}`, 20*time.Second)
	if r.Status != StatusOK || len(r.Message) > shellShownBytes+20 || !strings.HasSuffix(r.Message, "…") {
		t.Fatalf("got %s, message of %d bytes %q", r.Status, len(r.Message), r.Message)
	}
}

// TestShellEnvironment: no VIGIL_* variable reaches the command, other
// variables do; stdin is empty and the working directory is /.
func TestShellEnvironment(t *testing.T) {
	skipUnlessUnix(t)
	t.Setenv("VIGIL_TOKEN", "vgt_secret-join-token")
	t.Setenv("vigil_lower", "hidden too")
	t.Setenv("SHELL_TEST_VISIBLE", "seen")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	run := runShell(ctx, `env; echo "cwd=$(pwd)"; echo "stdin=$(cat)"`)
	out := string(run.output)
	for _, hidden := range []string{"VIGIL_TOKEN", "vgt_secret", "vigil_lower"} {
		if strings.Contains(out, hidden) {
			t.Errorf("the command saw %q:\n%s", hidden, out)
		}
	}
	for _, want := range []string{"SHELL_TEST_VISIBLE=seen\n", "cwd=/\n", "stdin=\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestShellCannotStart(t *testing.T) {
	c := shellAllowing(t, "x", `{}`, map[string]string{"x": "anything"}).(*shellChecker)
	c.run = func(context.Context, string) shellRun {
		return shellRun{startErr: errors.New("fork/exec /bin/sh: no such file or directory")}
	}
	r := c.Check(context.Background(), "x")
	if r.Status != StatusProblem || r.Message != "could not start the command: fork/exec /bin/sh: no such file or directory" || r.Values != nil {
		t.Fatalf("got %+v", r)
	}
}

func TestShellSummary(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"", 300, ""},
		{" \n\t ", 300, ""},
		{"a  b\n\nc", 300, "a b c"},
		{"bad \xff byte", 300, "bad \uFFFD byte"},
		{"bell\a and \u202eoverride", 300, "bell\uFFFD and \uFFFDoverride"},
		{"héllo wörld", 300, "héllo wörld"},
		{"abcdefghij", 8, "abcde…"}, {"abcdefgh", 8, "abcde…"}, {"abcdefg", 10, "abcdefg"},
		{"ééééé", 8, "éé…"},
	}
	for _, tc := range cases {
		if got := shellSummary([]byte(tc.in), tc.max); got != tc.want {
			t.Errorf("shellSummary(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if got := shellSummary([]byte(tc.in), tc.max); len(got) > tc.max {
			t.Errorf("shellSummary(%q, %d) is %d bytes", tc.in, tc.max, len(got))
		}
	}
}

func TestCheckCommandName(t *testing.T) {
	good := []string{"a", "0", "check-backup", "disk.root_1", strings.Repeat("z", MaxCommandNameLen)}
	bad := []string{"", "A", "_x", ".x", "-x", "a b", "a/b", "a=b", "é", "a\x00", strings.Repeat("z", MaxCommandNameLen+1)}
	for _, n := range good {
		if err := CheckCommandName(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	for _, n := range bad {
		if err := CheckCommandName(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
}

// BenchmarkShellRun measures a whole run of a trivial allowed command:
// the fork and exec of /bin/sh dominate.
func BenchmarkShellRun(b *testing.B) {
	if runtime.GOOS == "windows" {
		b.Skip("shell: runs /bin/sh")
	}
	c, err := NewWithEnv("shell", "t", json.RawMessage(`{"range":"0..10"}`), Env{Command: func(string) (string, bool) { return "echo 5", true }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Check(ctx, "t"); r.Status != StatusOK {
			b.Fatal(r.Message)
		}
	}
}
