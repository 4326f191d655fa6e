package checks

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const testSecret = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK3oXoDcWYAJ1oPM\n-----END PRIVATE KEY-----\n"

// TestLogfileRefused reads, in both modes, targets that lead outside the
// directories the host allows: each is a problem naming the file and the
// rule, and no line of the file reaches the message.
func TestLogfileRefused(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	realOut := mustEvalSymlinks(t, out)
	key := filepath.Join(out, "agent.key")
	writeLog(t, key, testSecret)
	writeLog(t, filepath.Join(dir, "fine.log"), "PRIVATE KEY in an allowed log\n")
	link := func(name, to string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(to, p); err != nil {
			t.Skip("no symbolic links:", err)
		}
		return p
	}
	keyLink := link("app.log", key)
	outLink := link("sub", out)
	rule := " is outside the test's log directories"
	type refusal struct {
		name, target string
		message      string // the whole message; in rolling mode after "watching …; " if files > 0
		files        float64
	}
	cases := []refusal{
		{"file outside", key, (&logRefusedError{key, realOut + "/agent.key", errors.New(rule[1:])}).Error(), 0},
		{"link to a file outside", keyLink, keyLink + " → " + realOut + "/agent.key" + rule, 0},
		{"glob with its fixed part outside", filepath.Join(out, "*.key"), (&logRefusedError{out, realOut, errors.New(rule[1:])}).Error(), 0},
		{"glob through a link to a directory outside", filepath.Join(outLink, "*.key"), outLink + " → " + realOut + rule, 0},
		{"glob naming a link outside", filepath.Join(dir, "*.log"), "1 match in " + dir + "/fine.log: PRIVATE KEY in an allowed log; " +
			keyLink + " → " + realOut + "/agent.key" + rule, 1},
		{"everything from the root", "/*/*/*/*/*/*", "/" + rule, 0},
	}
	if runtime.GOOS == "linux" {
		cases = append(cases,
			refusal{"proc environ", "/proc/self/environ", "/proc/self/environ → /proc/" + strconv.Itoa(os.Getpid()) + "/environ" + rule, 0},
			refusal{"link to proc", link("env.txt", "/proc/self/environ"), dir + "/env.txt → /proc/" + strconv.Itoa(os.Getpid()) + "/environ" + rule, 0})
	}
	for _, tc := range cases {
		for _, mode := range []string{"whole", "rolling"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				c := logChecker(t, dir, tc.target, `{"pattern":"PRIVATE KEY|VIGIL|=","mode":"`+mode+`"}`)
				r := runHost(t, c, tc.target)
				want := tc.message
				if mode == "rolling" && tc.files > 0 {
					want = "watching 1 file matching " + tc.target + "; " + keyLink + " → " + realOut + "/agent.key" + rule
				}
				if r.Status != StatusProblem || r.Message != want {
					t.Fatalf("got %s %q,\nwant problem %q", r.Status, r.Message, want)
				}
				if strings.Contains(r.Message, "MC4CAQ") || r.Values["files"] != tc.files {
					t.Fatalf("read what it must not: %q %v", r.Message, r.Values)
				}
			})
		}
	}
}

// TestLogfileWithoutEnv: the server's checkers (no Env) read nothing.
func TestLogfileWithoutEnv(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	writeLog(t, p, "ERROR secret\n")
	c, err := New("logfile", p, json.RawMessage(`{"pattern":"ERROR","mode":"whole"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := runHost(t, c, p)
	if r.Status != StatusProblem || !strings.HasSuffix(r.Message, " is not read here: log files are read only by an agent, within its --log-dirs") ||
		strings.Contains(r.Message, "secret") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}

// TestLogGlob compares the bounded walk with filepath.Glob on a tree, and
// checks its bounds.
func TestLogGlob(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/x.log", "a/y.log", "a/z.txt", "b/x.log", "b/c/x.log", "odd[1].log", "top.log", ".hidden.log"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeLog(t, filepath.Join(dir, p), "")
	}
	allow := logRootsForTest(t, dir)
	for _, pattern := range []string{"*/x.log", "*/*.log", "*", "*/*", "*/c/*.log", "[ab]/?.log", `odd\[1\].log`, "*/x.log*", "nope/*", "*/nope.log", "top.log/*"} {
		t.Run(pattern, func(t *testing.T) {
			target := filepath.Join(dir, pattern)
			want, _ := filepath.Glob(target)
			var r logRun
			got := logGlob(context.Background(), target, allow, &r)
			if !slices.Equal(got, want) || len(r.notes) > 0 {
				t.Fatalf("got %q (notes %q), filepath.Glob gives %q", got, r.notes, want)
			}
		})
	}
	t.Run("entry budget", func(t *testing.T) {
		var r logRun
		got := logGlobWithin(context.Background(), filepath.Join(dir, "*", "*"), allow, &r, 4)
		want := "stopped looking for files matching " + filepath.Join(dir, "*", "*") + " after 4 directory entries; "
		if len(got) > 4 || r.status != StatusWarning || len(r.notes) != 1 || !strings.HasPrefix(r.notes[0], want) {
			t.Fatalf("got %q, notes %q", got, r.notes)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var r logRun
		if got := logGlob(ctx, filepath.Join(dir, "*", "*"), allow, &r); len(got) != 0 {
			t.Fatalf("a cancelled walk found %q", got)
		}
	})
}

// TestLogStillAt: a file replaced after it was opened is not the one the
// path names.
func TestLogStillAt(t *testing.T) {
	dir := mustEvalSymlinks(t, t.TempDir())
	p := filepath.Join(dir, "app.log")
	writeLog(t, p, "a\n")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if !logStillAt(p, info) {
		t.Fatal("the file opened is not at its own path")
	}
	writeLog(t, p+".new", "b\n")
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if logStillAt(p, info) {
		t.Fatal("a replaced file still counts as the one opened")
	}
}

func mustEvalSymlinks(t *testing.T, p string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return real
}
