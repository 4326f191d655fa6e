package fim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// walkEvent is one step of the walk, in key order.
type walkEvent struct {
	key, path string
	st        fileStat
	hasObject bool       // st describes an object to record
	statLater bool       // a regular file not looked at yet: the worker that hashes it fills st from fstat
	dir       *dirHandle // statLater: the directory to open it in (a reference held for it), or nil
	keepSelf  bool       // no object, but keep the stored record at key and below (unreadable, vanished)
	keepBelow bool       // object recorded, directory not entered: keep the stored records below it
	err       string     // a ScanError to report for path
}

// pseudoRoots are where the kernel's pseudo file systems live, not
// entered when a root is "/": their content is the running system, not
// files on disk. /dev is devtmpfs, which statfs cannot tell from tmpfs;
// pseudoFS catches the others wherever they are mounted.
var pseudoRoots = []string{"/dev", "/proc", "/sys"}

// dirID is a directory's identity, to notice a bind mount that leads
// back to a directory already being walked.
type dirID struct{ dev, ino uint64 }

// walker walks a plan's roots depth-first, names in byte order, so its
// events come in key order. It reads directories one at a time; only the
// sorted names of the directories on the current path are in memory.
type walker struct {
	plan  plan
	names func(path string, want fileStat) ([]dirEntry, int, error)
	emit  func(walkEvent) error
	root  string
	// statLater leaves the stat of a regular file (as the directory's
	// d_type tells) to the worker that hashes it: the fstat of the open
	// file is then the object recorded, and the walk's lstat of it is
	// saved. Only for a baseline that hashes: there every file is read
	// and no stored record needs the stat to decide whether to read it.
	statLater bool
	dirs      *dirSet // the directories kept open for statLater files
	// stack holds the directories on the current path; only their
	// identities are needed for loop detection.
	stack []dirID
}

func (w *walker) walk(ctx context.Context) error {
	for _, root := range w.plan.roots {
		if w.plan.excluded(root) {
			continue
		}
		w.root = root
		key := pathKey(root)
		st, err := lstat(root)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Nothing to record; what was recorded below it is removed.
			if err := w.emit(walkEvent{key: key, path: root, err: "does not exist"}); err != nil {
				return err
			}
			continue
		case err != nil:
			if err := w.emit(walkEvent{key: key, path: root, keepSelf: true, err: describe(err)}); err != nil {
				return err
			}
			continue
		}
		if err := w.visit(ctx, root, key, st); err != nil {
			return err
		}
	}
	return nil
}

// visit records one object and, for a directory, everything below it.
func (w *walker) visit(ctx context.Context, path, key string, st fileStat) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ev := walkEvent{key: key, path: path, st: st, hasObject: true}
	if st.obj.Type != TypeDir {
		return w.emit(ev)
	}
	id := dirID{st.dev, st.ino}
	if st.ino != 0 && slices.Contains(w.stack, id) {
		ev.keepBelow, ev.err = true, "directory loop: the same directory as one above it (a bind mount?); not entered"
		return w.emit(ev)
	}
	if w.root == "/" && slices.Contains(pseudoRoots, path) || w.plan.skipBelow(path) || w.onPseudoFS(path, st) {
		// Recorded, not entered, and no error: not entering is the policy.
		return w.emit(ev)
	}
	names, dir, err := w.readDir(path, st)
	if err != nil {
		ev.keepBelow, ev.err = true, describe(err)
		return w.emit(ev)
	}
	defer dir.release()
	if err := w.emit(ev); err != nil {
		return err
	}
	w.stack = append(w.stack, id)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()
	for _, e := range names {
		if err := w.child(ctx, path, key, e, dir); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) child(ctx context.Context, dir, dirKey string, e dirEntry, open *dirHandle) error {
	name := e.name
	path, key := filepath.Join(dir, name), childKey(dirKey, name)
	if len(path) > MaxPathLen/4 && len(ShownPath(path)) > MaxPathLen {
		// Longer than a report carries (escapes take 4 bytes for 1): the
		// error says where, and nothing there is recorded.
		return w.emit(walkEvent{key: key, path: path, err: fmt.Sprintf("path longer than %d bytes; not recorded, nor anything below it", MaxPathLen)})
	}
	if w.plan.excluded(ShownPath(path)) {
		// Matched as reports show the path, as the server matches it.
		return nil
	}
	if w.statLater && e.regular {
		if err := ctx.Err(); err != nil {
			return err
		}
		return w.emit(walkEvent{key: key, path: path, hasObject: true, statLater: true, dir: open.hold()})
	}
	st, err := lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return w.emit(walkEvent{key: key, path: path, keepSelf: true, err: "vanished during the scan"})
	}
	if err != nil {
		return w.emit(walkEvent{key: key, path: path, keepSelf: true, err: describe(err)})
	}
	return w.visit(ctx, path, key, st)
}

// onPseudoFS reports whether the directory at path is on a pseudo file
// system (proc, sysfs, cgroup and the like, at any depth). Only a
// directory on another device than its parent can be the top of one, so
// only those cost a statfs.
func (w *walker) onPseudoFS(path string, st fileStat) bool {
	if n := len(w.stack); n > 0 && w.stack[n-1].dev == st.dev {
		return false
	}
	return pseudoFS(path) != ""
}

// readDir lists a directory's entries with names in byte order, which is
// key order, and keeps the directory open (held once by the caller) when
// its files are to be opened in it.
func (w *walker) readDir(path string, st fileStat) ([]dirEntry, *dirHandle, error) {
	entries, fd, err := w.names(path, st)
	var dir *dirHandle
	switch {
	case fd >= 0 && (err != nil || !w.statLater):
		closeDir(fd)
	case fd >= 0:
		dir = w.dirs.keep(fd)
	}
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return entries, dir, nil
}
