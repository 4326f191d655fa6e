package agent

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/checks"
)

func TestParseLogDirs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "/var/log", want: []string{"/var/log"}},
		{in: " /var/log/ , /srv/app/../app/logs", want: []string{"/var/log", "/srv/app/logs"}},
		{in: "", want: nil},
		{in: "  ", want: nil},
		{in: "var/log", wantErr: `"var/log" is not an absolute directory`},
		{in: "/var/log,", wantErr: "empty entry"},
		{in: ",/var/log", wantErr: "empty entry"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseLogDirs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") || (got == nil) != (tt.want == nil) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLogRootsReadable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the cases use Unix paths")
	}
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(base, "log")
	state := filepath.Join(logs, "vigil-agent")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	// A root given through a link is matched by its real path.
	viaLink := filepath.Join(base, "link-to-log")
	if err := os.Symlink(logs, viaLink); err != nil {
		t.Fatal(err)
	}
	outside := "is outside the log directories this agent allows (--log-dirs: " + viaLink + ",/)"
	l := newLogRoots([]string{viaLink, "/"}, state)
	rootOnly := newLogRoots([]string{logs}, filepath.Join(base, "elsewhere"))
	none := newLogRoots(nil, state)
	tests := []struct {
		name  string
		roots *logRoots
		path  string
		want  string // "" allowed, else the error
	}{
		{"a file in a root", rootOnly, logs + "/syslog", ""},
		{"the root itself", rootOnly, logs, ""},
		{"deep below a root", rootOnly, logs + "/nginx/a/b/access.log", ""},
		{"a sibling with the root's name as prefix", rootOnly, base + "/logx/app.log", "is outside the log directories this agent allows (--log-dirs: " + logs + ")"},
		{"the root's parent", rootOnly, base, "is outside"},
		{"the state directory under a root", l, state + "/agent.key", "is in the agent's --state directory, which this agent never reads"},
		{"the state directory itself", l, state, "is in the agent's --state directory"},
		{"a root given through a link", l, logs + "/syslog", ""},
		{"proc under the root /", l, "/proc/self/environ", "is in /proc, which this agent never reads"},
		{"sys under the root /", l, "/sys/kernel/notes", "is in /sys, which"},
		{"dev under the root /", l, "/dev/zero", "is in /dev, which"},
		{"procfs look-alike", l, "/procfs/x", ""},
		{"no roots", none, logs + "/syslog", "is not read: this agent allows no log directories (--log-dirs is empty)"},
		{"outside, naming the flag", newLogRoots([]string{viaLink}, state), "/etc/shadow", strings.Replace(outside, ",/)", ")", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.roots.readable(tt.path)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestLogRootsWithCheck runs the logfile check with an agent's roots: a
// link in a log directory to the agent's key, the agent's own
// environment, and an ordinary log.
func TestLogRootsWithCheck(t *testing.T) {
	logs, state := t.TempDir(), t.TempDir()
	key := filepath.Join(state, "agent.key")
	writeTestFile(t, key, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK3oXoDcWYAJ1oPM\n-----END PRIVATE KEY-----\n")
	writeTestFile(t, filepath.Join(logs, "app.log"), "ERROR disk full\n")
	if err := os.Symlink(key, filepath.Join(logs, "key.log")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	env := checks.Env{ReadableLog: newLogRoots([]string{logs}, state).readable}
	rootEnv := checks.Env{ReadableLog: newLogRoots([]string{"/"}, state).readable}
	type checkCase struct {
		name, target string
		env          checks.Env
		status       checks.Status
		want         string // in the message
	}
	tests := []checkCase{
		{"an ordinary log", filepath.Join(logs, "app.log"), env, checks.StatusProblem, "1 match in " + logs + "/app.log: ERROR disk full"},
		{"a link to the key", filepath.Join(logs, "key.log"), env, checks.StatusProblem, "agent.key is outside the log directories this agent allows (--log-dirs: " + logs + ")"},
		{"the key even under the root /", key, rootEnv, checks.StatusProblem, "is in the agent's --state directory"},
		{"a glob over the state directory", filepath.Join(state, "*"), rootEnv, checks.StatusProblem, "is in the agent's --state directory"},
		{"a glob over a link", filepath.Join(logs, "*.log"), env, checks.StatusProblem, "1 match in " + logs + "/app.log"},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests, checkCase{"the agent's environment", "/proc/self/environ", rootEnv, checks.StatusProblem, "is in /proc, which this agent never reads"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := checks.NewWithEnv("logfile", tt.target, []byte(`{"pattern":"ERROR|PRIVATE|=","mode":"whole"}`), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Check(context.Background(), tt.target)
			if r.Status != tt.status || !strings.Contains(r.Message, tt.want) {
				t.Fatalf("got %s %q, want %s with %q", r.Status, r.Message, tt.status, tt.want)
			}
			if strings.Contains(r.Message, "PRIVATE KEY") || strings.Contains(r.Message, "MC4CAQ") {
				t.Fatalf("the key reached the message: %q", r.Message)
			}
		})
	}
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
