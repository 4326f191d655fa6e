package agent

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// The log directories: the logfile check reads a file only if its real
// path (symbolic links resolved) lies inside one of the directories
// --log-dirs names. The server chooses the target, but this host's own
// flag bounds what can be read, so an editor or a compromised server
// cannot read /etc/shadow or the agent's key through a log monitor.
//
// Some places are never read, whatever --log-dirs says: the kernel's
// /proc, /sys and /dev (/proc/self/environ holds the agent's
// environment), and the agent's own --state directory (its private key).

// defaultLogDirs is the --log-dirs default on goos: where the system
// keeps its logs. Windows has no such directory (its logs are the event
// log), so nothing is read there until --log-dirs names a directory.
func defaultLogDirs(goos string) []string {
	switch goos {
	case "windows":
		return nil
	case "darwin":
		return []string{"/var/log", "/Library/Logs"}
	}
	return []string{"/var/log"}
}

// neverReadDirs are the directories no log root can open up on goos.
func neverReadDirs(goos string) []string {
	if goos == "windows" {
		return nil
	}
	return []string{"/proc", "/sys", "/dev"}
}

// parseLogDirs reads the comma-separated --log-dirs value: absolute
// directories; "" means none.
func parseLogDirs(s string) ([]string, error) {
	var dirs []string
	for d := range strings.SplitSeq(s, ",") {
		d = strings.TrimSpace(d)
		switch {
		case d == "" && strings.TrimSpace(s) == "":
			return nil, nil
		case d == "":
			return nil, fmt.Errorf("--log-dirs %q has an empty entry: separate directories with single commas", s)
		case !filepath.IsAbs(d):
			return nil, fmt.Errorf("--log-dirs: %q is not an absolute directory such as /var/log", d)
		}
		dirs = append(dirs, filepath.Clean(d))
	}
	return dirs, nil
}

// logRoots decides which real paths the logfile check may read.
type logRoots struct {
	given []string // --log-dirs as given, for messages
	roots []string // their real paths
	never []never  // real paths refused inside any root
}

// never is a directory no root opens up, and what to call it.
type never struct{ dir, what string }

// newLogRoots resolves dirs and the never-read directories, the state
// directory among them, to real paths once: a directory missing now is
// kept as given, and still matches once it exists under that path.
func newLogRoots(dirs []string, stateDir string) *logRoots {
	l := &logRoots{given: dirs}
	for _, d := range dirs {
		l.roots = append(l.roots, realDir(d))
	}
	for _, d := range neverReadDirs(runtime.GOOS) {
		l.never = append(l.never, never{realDir(d), d})
	}
	l.never = append(l.never, never{realDir(stateDir), "the agent's --state directory"})
	return l
}

// realDir is d made absolute with its symbolic links resolved, or as
// clean as it can be made if it cannot be resolved.
func realDir(d string) string {
	abs, err := filepath.Abs(d)
	if err != nil {
		return filepath.Clean(d)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// readable is checks.Env.ReadableLog: nil if real, a real path, lies
// inside a root and outside every never-read directory. The error
// completes the sentence "<path> …".
func (l *logRoots) readable(real string) error {
	if !slices.ContainsFunc(l.roots, func(r string) bool { return within(r, real) }) {
		if len(l.given) == 0 {
			return errors.New("is not read: this agent allows no log directories (--log-dirs is empty)")
		}
		return fmt.Errorf("is outside the log directories this agent allows (--log-dirs: %s)", strings.Join(l.given, ","))
	}
	for _, n := range l.never {
		if within(n.dir, real) {
			return fmt.Errorf("is in %s, which this agent never reads", n.what)
		}
	}
	return nil
}

// within reports whether p is dir or lies below it, part by part: /var/logx
// is not within /var/log. Both are absolute and clean.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}
