package agent

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The allow-list of shell commands: *.conf files in a directory the
// host's administrator controls (default <state>/allow.d), with lines
// "name = command line". The server names a command only by its name;
// what runs is what this directory says, so a compromised server cannot
// make an agent run anything else.
const (
	allowDirName = "allow.d"
	allowSuffix  = ".conf"
	// allowCheckEvery is how often at most the directory is looked at
	// again (a stat per file), so an edit takes effect without a restart.
	allowCheckEvery = 3 * time.Second
)

// allowDirOf is the allow-list directory cfg names, by default allow.d
// in the state directory.
func allowDirOf(cfg Config) string {
	if cfg.AllowDir != "" {
		return cfg.AllowDir
	}
	return filepath.Join(cfg.StateDir, allowDirName)
}

// allowList is the allow-list directory, read again when it changes.
type allowList struct {
	dir   string
	log   *slog.Logger
	every time.Duration
	uid   int // files owned by root or by this uid are trusted

	mu      sync.Mutex
	checked time.Time         // when the directory was last looked at
	stamps  []allowStamp      // what it looked like when last read; nil before
	cmds    map[string]string // name -> command line
	sorted  []string          // the names, sorted
}

// allowStamp is what a stat says about the directory (name "") or one
// file; a change in any field means the files are read again. A name
// starting with "!" records why the directory could not be looked at.
type allowStamp struct {
	name  string
	mod   int64 // Unix nanoseconds
	size  int64
	mode  fs.FileMode
	owner uint32
	inode uint64
}

// newAllowList returns the allow-list of dir; nothing is read before
// the first lookup or names.
func newAllowList(dir string, log *slog.Logger) *allowList {
	return &allowList{dir: dir, log: log.With("allow_dir", dir), every: allowCheckEvery, uid: os.Getuid()}
}

// lookup returns the command line allowed under name.
func (l *allowList) lookup(name string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refresh()
	line, ok := l.cmds[name]
	return line, ok
}

// names returns the allowed names, sorted.
func (l *allowList) names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refresh()
	return slices.Clone(l.sorted)
}

// refresh reads the files again when the directory or one of them
// changed, looking at most once every l.every.
func (l *allowList) refresh() {
	now := time.Now()
	if l.stamps != nil && now.Sub(l.checked) < l.every {
		return
	}
	l.checked = now
	stamps := l.scan()
	if l.stamps != nil && slices.Equal(stamps, l.stamps) {
		return
	}
	prev := l.stamps
	l.stamps = stamps
	if why, bad := strings.CutPrefix(stamps[0].name, "!"); bad {
		l.cmds, l.sorted = nil, nil
		l.reportUnusable(why, prev)
		return
	}
	l.cmds = l.read(stamps[1:])
	l.sorted = make([]string, 0, len(l.cmds))
	for name := range l.cmds {
		l.sorted = append(l.sorted, name)
	}
	slices.Sort(l.sorted)
	l.log.Info("allow-list read", "commands", len(l.sorted))
}

// reportUnusable logs why nothing is allowed, once per change: a missing
// directory is the normal case of an agent that runs no commands.
func (l *allowList) reportUnusable(why string, prev []allowStamp) {
	if prev != nil && prev[0].name == "!"+why {
		return
	}
	if why == "missing" {
		l.log.Info("no allow-list directory: no shell commands are allowed")
		return
	}
	l.log.Warn("allow-list directory refused: no shell commands are allowed", "reason", why)
}

// scan stats the directory and its *.conf files. When the directory is
// unchanged only the files read last time are looked at again.
func (l *allowList) scan() []allowStamp {
	info, err := os.Stat(l.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return []allowStamp{{name: "!missing"}}
	case err != nil:
		return []allowStamp{{name: "!" + err.Error()}}
	case !info.IsDir():
		return []allowStamp{{name: "!not a directory"}}
	}
	if why := allowOwnerProblem(info, l.uid); why != "" {
		return []allowStamp{{name: "!the directory " + why}}
	}
	dir := stampOf("", info)
	if l.stamps != nil && l.stamps[0] == dir {
		out := []allowStamp{dir}
		for _, s := range l.stamps[1:] {
			if fi, err := os.Lstat(filepath.Join(l.dir, s.name)); err == nil {
				out = append(out, stampOf(s.name, fi))
			}
		}
		return out
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return []allowStamp{{name: "!" + err.Error()}}
	}
	out := []allowStamp{dir}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), allowSuffix) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			out = append(out, stampOf(e.Name(), fi))
		}
	}
	return out
}

func stampOf(name string, fi fs.FileInfo) allowStamp {
	owner, inode := allowFileID(fi)
	return allowStamp{name: name, mod: fi.ModTime().UnixNano(), size: fi.Size(), mode: fi.Mode(), owner: owner, inode: inode}
}
