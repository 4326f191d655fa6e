package checks

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// logGlob returns the files target names, at most logMaxFiles of them,
// in the order filepath.Glob gives. A target without glob characters is
// returned as it is, so that a missing or unreadable file is reported
// with its own error rather than as no match.
//
// Unlike filepath.Glob, the walk is bounded: it lists only directories
// whose real path readable allows (so a pattern whose fixed part lies
// outside them is refused before anything is listed), reads at most
// logMaxDirEntries entries, and stops when ctx is done. What it could
// not look at is noted in r.
func logGlob(ctx context.Context, target string, readable func(string) error, r *logRun) []string {
	return logGlobWithin(ctx, target, readable, r, logMaxDirEntries)
}

// logGlobWithin is logGlob reading at most budget directory entries.
func logGlobWithin(ctx context.Context, target string, readable func(string) error, r *logRun, budget int) []string {
	if !logIsGlob(target) {
		return []string{target}
	}
	if !filepath.IsAbs(target) {
		r.note(StatusProblem, target+" is not an absolute path on this host")
		return nil
	}
	dir, parts := logGlobSplit(target)
	if len(parts) == 0 {
		return []string{target}
	}
	w := logWalk{ctx: ctx, readable: readable, r: r, budget: budget}
	dirs := []string{dir}
	for i, part := range parts {
		last := i == len(parts)-1
		var next []string
		for _, d := range dirs {
			if w.stopped() {
				break
			}
			next = w.expand(d, part, last, next)
		}
		dirs = next
	}
	switch {
	case w.budget == 0:
		r.note(StatusWarning, "stopped looking for files matching "+target+" after "+strconv.Itoa(budget)+
			" directory entries; "+strconv.Itoa(w.total)+" found until then")
	case ctx.Err() == nil:
		r.tooMany(target, w.total)
	}
	return w.found
}

// logIsGlob reports whether target has characters Glob treats as special
// on this system (on Windows, \ is a separator, not an escape).
func logIsGlob(target string) bool {
	meta := `*?[`
	if runtime.GOOS != "windows" {
		meta += `\`
	}
	return strings.ContainsAny(target, meta)
}

// logGlobSplit splits an absolute pattern into the directory its leading
// parts without glob characters name, and the parts that follow.
func logGlobSplit(target string) (dir string, parts []string) {
	vol := filepath.VolumeName(target)
	parts = strings.FieldsFunc(target[len(vol):], func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
	dir = vol + string(filepath.Separator)
	for len(parts) > 0 && !logIsGlob(parts[0]) {
		dir = filepath.Join(dir, parts[0])
		parts = parts[1:]
	}
	return dir, parts
}

// logWalk is one bounded expansion of a glob.
type logWalk struct {
	ctx      context.Context
	readable func(string) error
	r        *logRun
	budget   int      // directory entries left to read
	found    []string // the first logMaxFiles matches
	total    int      // every match
}

// stopped reports whether the walk must end: out of time or entries.
func (w *logWalk) stopped() bool {
	return w.budget == 0 || w.ctx.Err() != nil
}

// expand matches part against the entries of dir: the matches are files
// found when part is the last, otherwise directories appended to next.
func (w *logWalk) expand(dir, part string, last bool, next []string) []string {
	if !logIsGlob(part) {
		p := filepath.Join(dir, part)
		if last {
			w.budget--
			if _, err := os.Lstat(p); err == nil {
				w.add(p)
			}
			return next
		}
		return append(next, p)
	}
	for _, name := range w.list(dir, part, !last) {
		p := filepath.Join(dir, name)
		if last {
			w.add(p)
		} else {
			next = append(next, p)
		}
	}
	return next
}

// add counts a match and keeps the first logMaxFiles.
func (w *logWalk) add(p string) {
	w.total++
	if len(w.found) < logMaxFiles {
		w.found = append(w.found, p)
	}
}

// list returns the sorted names in dir that match pattern (only those
// that may be directories when dirsOnly), if the host lets dir be read.
// A directory that is missing or cannot be listed matches nothing, as
// with filepath.Glob; one the host does not allow is noted.
func (w *logWalk) list(dir, pattern string, dirsOnly bool) []string {
	real, err := logReal(dir, w.readable)
	if err != nil {
		w.r.usable(dir, "", err)
		return nil
	}
	f, err := os.Open(real)
	if err != nil {
		return nil
	}
	defer f.Close()
	var names []string
	for !w.stopped() {
		entries, err := f.ReadDir(min(256, w.budget))
		w.budget -= len(entries)
		for _, e := range entries {
			if dirsOnly && !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			if ok, _ := filepath.Match(pattern, e.Name()); ok {
				names = append(names, e.Name())
			}
		}
		if err != nil || len(entries) == 0 {
			break
		}
	}
	slices.Sort(names)
	return names
}
