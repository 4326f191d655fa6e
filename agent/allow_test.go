package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// logBuffer collects log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// take returns what was logged and forgets it.
func (b *logBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// newTestAllow returns an allow-list of a fresh allow.d (created) that
// looks again on every call, and its log.
func newTestAllow(t *testing.T) (*allowList, *logBuffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), allowDirName)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	l := newAllowList(dir, slog.New(slog.NewTextHandler(logs, nil)))
	l.every = 0
	return l, logs
}

func writeAllow(t *testing.T, l *allowList, name, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(l.dir, name)
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode passes the umask
		t.Fatal(err)
	}
	return path
}

// wantAllowed fails unless the list allows exactly want.
func wantAllowed(t *testing.T, l *allowList, want map[string]string) {
	t.Helper()
	names := l.names()
	wantNames := make([]string, 0, len(want))
	for n := range want {
		wantNames = append(wantNames, n)
	}
	if len(names) != len(want) {
		t.Fatalf("allowed %v, want %v", names, want)
	}
	for i, n := range names {
		if i > 0 && names[i-1] >= n {
			t.Fatalf("names not sorted: %v", names)
		}
		line, ok := l.lookup(n)
		if !ok || line != want[n] {
			t.Fatalf("lookup(%q) = %q %v, want %q (all: %v, want %v)", n, line, ok, want[n], names, wantNames)
		}
	}
}

func TestParseAllowLine(t *testing.T) {
	cases := []struct {
		line, name, cmd, why string
	}{
		{"", "", "", ""},
		{"   \t", "", "", ""},
		{"# a comment = with equals", "", "", ""},
		{"  # indented comment", "", "", ""},
		{"backup = /usr/lib/nagios/plugins/check_file_age -w 90000 -c 108000 /var/backup/last", "backup", "/usr/lib/nagios/plugins/check_file_age -w 90000 -c 108000 /var/backup/last", ""},
		{"a=b", "a", "b", ""},
		{"x = echo a=b # not a comment\r", "x", "echo a=b # not a comment", ""},
		{"disk.root_1 = df -P /", "disk.root_1", "df -P /", ""},
		{"no equals here", "", "", `not "name = command line"`},
		{"= echo", "", "", "missing"},
		{"Backup = echo", "", "", "not a command name"},
		{"my backup = echo", "", "", "not a command name"},
		{"x =", "", "", "no command line"},
		{"x = echo \x00", "", "", "control character"},
		{"x = " + strings.Repeat("y", allowMaxLineBytes+1), "", "", "longer than"},
	}
	for _, tc := range cases {
		name, cmd, why := parseAllowLine(tc.line)
		if name != tc.name || cmd != tc.cmd || (tc.why == "") != (why == "") || !strings.Contains(why, tc.why) {
			t.Errorf("parseAllowLine(%.40q) = %q, %q, %q; want %q, %q, …%q…", tc.line, name, cmd, why, tc.name, tc.cmd, tc.why)
		}
	}
}

func TestAllowListRead(t *testing.T) {
	l, logs := newTestAllow(t)
	first := writeAllow(t, l, "10-base.conf", strings.Join([]string{
		"# checks of this host",
		"",
		"backup = /usr/local/bin/check-backup --max-age 26h",
		"load=cat /proc/loadavg",
		"this line is wrong",
		"Bad Name = echo",
	}, "\n"), 0o644)
	second := writeAllow(t, l, "20-more.conf", "load = echo later\nraid = cat /proc/mdstat\n", 0o600)
	writeAllow(t, l, "README", "ignored = echo not a .conf\n", 0o644)
	writeAllow(t, l, "old.conf.bak", "ignored2 = echo\n", 0o644)
	wantAllowed(t, l, map[string]string{
		"backup": "/usr/local/bin/check-backup --max-age 26h",
		"load":   "cat /proc/loadavg",
		"raid":   "cat /proc/mdstat",
	})
	got := logs.String()
	for _, want := range []string{
		first + ":5 reason=", `not \"name = command line\"`,
		first + ":6 reason=",
		second + `:1 reason="\"load\" is allowed already at ` + first + `:4"`,
		"allow-list read", "commands=3",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "README") || strings.Contains(got, "old.conf.bak") {
		t.Errorf("a file not named *.conf was read:\n%s", got)
	}
}

func TestAllowListRefusesUnsafeFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("allow: Windows has no modes to check")
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T, l *allowList) // makes "bad = …" unsafe
		reason string
	}{
		{"group-writable file", func(t *testing.T, l *allowList) { writeAllow(t, l, "bad.conf", "bad = echo\n", 0o664) }, "writable by group or others (mode 0664)"},
		{"world-writable file", func(t *testing.T, l *allowList) { writeAllow(t, l, "bad.conf", "bad = echo\n", 0o646) }, "writable by group or others (mode 0646)"},
		{"symlinked file", func(t *testing.T, l *allowList) {
			target := filepath.Join(t.TempDir(), "elsewhere.conf")
			if err := os.WriteFile(target, []byte("bad = echo\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(l.dir, "bad.conf")); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"directory as a .conf", func(t *testing.T, l *allowList) {
			if err := os.Mkdir(filepath.Join(l.dir, "bad.conf"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"file of another user", func(t *testing.T, l *allowList) {
			if os.Getuid() != 0 {
				t.Skip("allow: only root can give a file away")
			}
			path := writeAllow(t, l, "bad.conf", "bad = echo\n", 0o644)
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, logs := newTestAllow(t)
			writeAllow(t, l, "good.conf", "good = echo fine\n", 0o644)
			tc.setup(t, l)
			wantAllowed(t, l, map[string]string{"good": "echo fine"})
			got := logs.String()
			if !strings.Contains(got, "allow-list file refused") || !strings.Contains(got, filepath.Join(l.dir, "bad.conf")) || !strings.Contains(got, tc.reason) {
				t.Errorf("log lacks the refusal (%s):\n%s", tc.reason, got)
			}
		})
	}
}

func TestAllowListRefusesUnsafeDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("allow: Windows has no modes to check")
	}
	for _, mode := range []os.FileMode{0o775, 0o757, 0o777 | os.ModeSticky} {
		t.Run(mode.String(), func(t *testing.T) {
			l, logs := newTestAllow(t)
			writeAllow(t, l, "good.conf", "good = echo fine\n", 0o644)
			wantAllowed(t, l, map[string]string{"good": "echo fine"})
			if err := os.Chmod(l.dir, mode); err != nil {
				t.Fatal(err)
			}
			wantAllowed(t, l, map[string]string{})
			if got := logs.String(); !strings.Contains(got, "allow-list directory refused") || !strings.Contains(got, "writable by group or others") {
				t.Errorf("log lacks the refusal:\n%s", got)
			}
			// Made safe again, it counts again.
			if err := os.Chmod(l.dir, 0o755); err != nil {
				t.Fatal(err)
			}
			wantAllowed(t, l, map[string]string{"good": "echo fine"})
		})
	}
}

func TestAllowListReloads(t *testing.T) {
	l, logs := newTestAllow(t)
	path := writeAllow(t, l, "a.conf", "one = echo 1\n", 0o644)
	wantAllowed(t, l, map[string]string{"one": "echo 1"})

	// An edit in place of the same size: the modification time tells.
	// It is set apart here, as two writes within one clock tick of the
	// file system may share one.
	if err := os.WriteFile(path, []byte("one = echo 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, l, map[string]string{"one": "echo 2"})

	writeAllow(t, l, "b.conf", "two = echo two\n", 0o644)
	wantAllowed(t, l, map[string]string{"one": "echo 2", "two": "echo two"})

	// A removed line stops being allowed.
	if err := os.WriteFile(path, []byte("# one = echo 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, l, map[string]string{"two": "echo two"})

	// A file made unsafe after it was read is refused at once.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(filepath.Join(l.dir, "b.conf"), 0o666); err != nil {
			t.Fatal(err)
		}
		wantAllowed(t, l, map[string]string{})
		if err := os.Chmod(filepath.Join(l.dir, "b.conf"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(l.dir, "b.conf")); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, l, map[string]string{})

	// The whole directory gone: nothing allowed, said once at info level.
	logs.take()
	if err := os.RemoveAll(l.dir); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		wantAllowed(t, l, map[string]string{})
	}
	if got := logs.take(); strings.Count(got, "no allow-list directory") != 1 || !strings.Contains(got, "level=INFO") {
		t.Errorf("want one info line for the missing directory:\n%s", got)
	}
}

func TestAllowListLooksOnlyEveryFewSeconds(t *testing.T) {
	l, _ := newTestAllow(t)
	l.every = time.Hour
	writeAllow(t, l, "a.conf", "one = echo 1\n", 0o644)
	wantAllowed(t, l, map[string]string{"one": "echo 1"})
	writeAllow(t, l, "b.conf", "two = echo 2\n", 0o644)
	wantAllowed(t, l, map[string]string{"one": "echo 1"}) // not looked at yet
	l.mu.Lock()
	l.checked = time.Time{}
	l.mu.Unlock()
	wantAllowed(t, l, map[string]string{"one": "echo 1", "two": "echo 2"})
}

func TestAllowListBounds(t *testing.T) {
	l, logs := newTestAllow(t)
	var b strings.Builder
	for i := range wire.MaxCommands + 10 {
		fmt.Fprintf(&b, "c%03d = echo %d\n", i, i)
	}
	for range 50 {
		b.WriteString("junk\n")
	}
	writeAllow(t, l, "many.conf", b.String(), 0o644)
	writeAllow(t, l, "huge.conf", strings.Repeat("#", allowMaxFileBytes+1), 0o644)
	if n := len(l.names()); n != wire.MaxCommands {
		t.Fatalf("%d names allowed, want the first %d", n, wire.MaxCommands)
	}
	got := logs.String()
	for _, want := range []string{"more than 256 commands", "more problems than logged", "lines_ignored=60", "larger than 1048576 bytes"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if n := strings.Count(got, "allow-list line ignored"); n != allowMaxWarnings {
		t.Errorf("%d line warnings logged, want %d", n, allowMaxWarnings)
	}
	p := wire.Poll{Version: "v", Hostname: "h", OS: "linux", Arch: "amd64", Time: time.Now(), Commands: l.names()}
	if err := p.Validate(); err != nil {
		t.Errorf("the names do not make a valid Poll: %v", err)
	}
}

func TestAllowDirOf(t *testing.T) {
	if got := allowDirOf(Config{StateDir: "/var/lib/vigil"}); got != filepath.Join("/var/lib/vigil", "allow.d") {
		t.Errorf("default %q", got)
	}
	if got := allowDirOf(Config{StateDir: "/s", AllowDir: "/etc/vigil/allow.d"}); got != "/etc/vigil/allow.d" {
		t.Errorf("flag %q", got)
	}
}

// TestShellAllowListRefusal runs shell monitors the server assigns
// through a real agent: a name the local allow-list allows runs; a name
// it does not allow (commented out, or in a file others could write) is
// a problem result, and provably nothing ran.
func TestShellAllowListRefusal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("allow: the commands are /bin/sh lines")
	}
	mark := filepath.Join(t.TempDir(), "ran")
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	dir := filepath.Join(cfg.StateDir, allowDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]struct {
		text string
		mode os.FileMode
	}{
		"ok.conf":      {"fine = echo all fine\n# touch-it = touch " + mark + "\n", 0o644},
		"unsafe.conf":  {"unsafe = touch " + mark + "\n", 0o664},
		"elsewhere.cf": {"other = touch " + mark + "\n", 0o644},
	}
	for name, c := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(c.text), c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	sec := wire.Duration(time.Second)
	shell := func(id, target string) wire.Assignment {
		return wire.Assignment{ID: id, Type: "shell", Target: target, Interval: sec, Timeout: sec, Settings: json.RawMessage(`{}`)}
	}
	f.assignments = wire.Assignments{Version: "v1", Wait: sec, Monitors: []wire.Assignment{
		shell("allowed", "fine"), shell("commented", "touch-it"), shell("unsafe", "unsafe"), shell("other", "other"),
	}}
	a := startAgent(t, f, cfg)
	got := map[string]wire.MonitorResult{}
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < 4 && time.Now().Before(deadline) {
		for _, r := range f.waitStored(len(got)+1, 10*time.Second) {
			got[r.MonitorID] = r
		}
	}
	if r := got["allowed"].Result; r.Status != checks.StatusOK || r.Message != "exit 0: all fine" {
		t.Errorf("allowed: %s %q", r.Status, r.Message)
	}
	for id, target := range map[string]string{"commented": "touch-it", "unsafe": "unsafe", "other": "other"} {
		want := fmt.Sprintf("command %q is not allowed on this agent: allow.d does not name it, or the agent refused allow.d (its log says why)", target)
		if r := got[id].Result; r.Status != checks.StatusProblem || r.Message != want {
			t.Errorf("%s: %s %q, want problem %q", id, r.Status, r.Message, want)
		}
	}
	if _, err := os.Stat(mark); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a command that is not allowed ran: %s exists (%v)", mark, err)
	}
	if names := a.allow.names(); !reflect.DeepEqual(names, []string{"fine"}) {
		t.Errorf("names reported to the server %v, want [fine]", names)
	}
}

// TestShellAllowListRemoval: once its line is removed, a name the agent
// ran before is refused on the next run, without a restart.
func TestShellAllowListRemoval(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("allow: the commands are /bin/sh lines")
	}
	l, _ := newTestAllow(t)
	mark := filepath.Join(t.TempDir(), "count")
	path := writeAllow(t, l, "a.conf", "count = echo x >> "+mark+"\n", 0o644)
	c, err := checks.NewWithEnv("shell", "count", nil, checks.Env{Command: l.lookup})
	if err != nil {
		t.Fatal(err)
	}
	run := func() checks.Result {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return c.Check(ctx, "count")
	}
	if r := run(); r.Status != checks.StatusOK {
		t.Fatalf("allowed run: %s %q", r.Status, r.Message)
	}
	if err := os.WriteFile(path, []byte("# count removed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(); r.Status != checks.StatusProblem || !strings.Contains(r.Message, "not allowed") {
		t.Fatalf("after removal: %s %q", r.Status, r.Message)
	}
	if b, err := os.ReadFile(mark); err != nil || string(b) != "x\n" {
		t.Fatalf("the command ran %q times (%v), want once", b, err)
	}
}
