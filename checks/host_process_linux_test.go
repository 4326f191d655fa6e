package checks

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// fakeProc writes a /proc with the given comm and cmdline per pid and
// points HOST_PROC at it.
func fakeProc(t *testing.T, procs map[string][2]string) {
	t.Helper()
	root := t.TempDir()
	for pid, files := range procs {
		dir := filepath.Join(root, pid)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"comm", "cmdline"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(files[i]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(filepath.Join(root, "sys"), 0o755); err != nil { // not a process
		t.Fatal(err)
	}
	t.Setenv("HOST_PROC", root)
}

func TestListProcessesFromProc(t *testing.T) {
	fakeProc(t, map[string][2]string{
		"1":   {"init\n", "/sbin/init\x00splash\x00"},
		"20":  {"a-very-long-nam\n", "/usr/bin/a-very-long-name-indeed\x00--flag\x00"},
		"30":  {"kworker/u8:3-ev\n", ""},                                // a kernel thread
		"40":  {"renamed-by-itse\n", "/opt/other\x00"},                  // comm set by the process
		"50":  {"nginx\n", "nginx: worker process\x00\x00\x00"},         // rewrote its arguments
		"60":  {"nginx\n", "nginx: master process /usr/sbin/nginx\x00"}, //
		"700": {"kworker/u8:1-kvfree_rcu_reclaim\n", ""},                // newer kernels: full names
	})
	tests := []struct {
		name string
		q    processQuery
		want int
	}{
		{"short name", processQuery{name: "init"}, 1},
		{"two of a name", processQuery{name: "nginx"}, 2},
		{"name extended from the command line", processQuery{name: "a-very-long-name-indeed"}, 1},
		{"the cut comm alone no longer matches", processQuery{name: "a-very-long-nam"}, 0},
		{"cut comm without a command line", processQuery{name: "kworker/u8:3-ev"}, 1},
		{"cut comm the command line does not extend", processQuery{name: "renamed-by-itse"}, 1},
		{"long kernel name", processQuery{name: "kworker/u8:1-kvfree_rcu_reclaim"}, 1},
		{"command line", processQuery{cmdline: true, match: regexp.MustCompile(`^/sbin/init splash$`).MatchString}, 1},
		{"rewritten command lines", processQuery{cmdline: true, match: regexp.MustCompile(`^nginx: `).MatchString}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.q.match == nil {
				tt.q.match = func(s string) bool { return s == tt.q.name }
			}
			n, seen, err := listProcesses(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want || seen != 7 {
				t.Fatalf("matched %d of %d, want %d of 7", n, seen, tt.want)
			}
		})
	}
}
