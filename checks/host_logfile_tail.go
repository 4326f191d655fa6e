package checks

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"slices"
)

// tailFile is one file rolling mode follows, kept open between runs so
// that lines written just before a rotation can still be read.
type tailFile struct {
	path  string      // the name it was last seen under
	f     *os.File    // open since it was first seen
	info  fs.FileInfo // its identity, and its size when last looked at
	off   int64       // how far it has been read
	split lineSplitter
}

// logTail is rolling mode's state between runs.
//
// Each run globs the target again and matches every path with the file
// it followed before by identity (os.SameFile), not by name: a file
// renamed within the glob (app.log to app.log.1) keeps its offset and is
// not read twice. A path that now names a different file was rotated by
// rename and create: the old file is read to its end, then the new one
// from its start. A file that shrank below the offset was truncated
// (copytruncate) and is read from its start. A file that appears in a
// later run is new and is read from its start; on the first run every
// file is watched from its end, so only lines written from then on count.
type logTail struct {
	target  string
	started bool
	files   map[string]*tailFile // by path
	seen    map[string]bool      // every existing path the last glob named, read or not
}

// run reads what was written to the target's files since the last run,
// up to limit bytes per file, into t. Only files readable allows are
// looked at (see openLogFile).
func (lt *logTail) run(ctx context.Context, target string, limit int64, readable func(string) error, t *logTally, r *logRun) {
	if lt.started && lt.target != target {
		lt.close()
	}
	first := !lt.started
	lt.started, lt.target, r.watching = true, target, first
	paths := logGlob(ctx, target, readable, r)

	old, seen := lt.files, lt.seen
	wasOpen := make(map[string]bool, len(old))
	for p := range old {
		wasOpen[p] = true
	}
	lt.files = make(map[string]*tailFile, len(paths))
	lt.seen = make(map[string]bool, len(paths))
	var follow []*tailFile // in the order to read: files followed before, then new ones
	var fresh []string
	for _, p := range paths {
		info, err := logStat(p, readable)
		lt.seen[p] = !errors.Is(err, fs.ErrNotExist)
		skip := ""
		if err == nil {
			skip = logSkipReason(info)
		}
		if !r.usable(p, skip, err) || lt.following(info) {
			continue
		}
		if tf := claim(old, p, info); tf != nil {
			tf.path, tf.info = p, info
			lt.files[p] = tf
			follow = append(follow, tf)
			continue
		}
		fresh = append(fresh, p)
	}
	// Files the target no longer names were rotated away or deleted: what
	// was written to them since the last run still counts.
	drain(ctx, old, limit, t, r)
	for _, p := range fresh {
		atEnd := first || (seen[p] && !wasOpen[p]) // known but unreadable until now
		if tf := lt.open(p, atEnd, readable, r); tf != nil {
			follow = append(follow, tf)
		}
	}
	for _, tf := range follow {
		r.read(tf.path)
		if !first {
			tf.follow(ctx, limit, t, r)
		}
	}
}

// following reports whether the file info describes is already followed
// in this run under another name (a symbolic link, or a hard link).
func (lt *logTail) following(info fs.FileInfo) bool {
	for _, tf := range lt.files {
		if os.SameFile(tf.info, info) {
			return true
		}
	}
	return false
}

// claim takes from old the file that info describes, looking first under
// path and then under every other name (it was renamed within the glob).
func claim(old map[string]*tailFile, path string, info fs.FileInfo) *tailFile {
	if tf := old[path]; tf != nil && os.SameFile(tf.info, info) {
		delete(old, path)
		return tf
	}
	for p, tf := range old {
		if os.SameFile(tf.info, info) {
			delete(old, p)
			return tf
		}
	}
	return nil
}

// open starts following path, from its end or its start.
func (lt *logTail) open(path string, atEnd bool, readable func(string) error, r *logRun) *tailFile {
	f, info, skip, err := openLogFile(path, readable)
	if !r.usable(path, skip, err) {
		return nil
	}
	if lt.following(info) {
		f.Close()
		return nil
	}
	tf := &tailFile{path: path, f: f, info: info, split: lineSplitter{max: logMaxLine}}
	if atEnd {
		tf.off = info.Size()
	}
	lt.files[path] = tf
	return tf
}

// follow reads what was added to tf since the last run.
func (tf *tailFile) follow(ctx context.Context, limit int64, t *logTally, r *logRun) {
	t.path = tf.path
	size := tf.info.Size()
	if size < tf.off {
		// Truncated in place: the unfinished line will not be finished.
		tf.split.flush(t.line)
		tf.off = 0
	}
	n, eof, err := readLog(ctx, tf.f, tf.off, limit, &tf.split, t.line)
	tf.off += n
	t.bytes += n
	switch {
	case err != nil && ctx.Err() == nil:
		r.note(StatusProblem, tf.path+": "+logErrText(err))
	case !eof && err == nil && size > tf.off:
		r.note(StatusOK, tf.path+": "+hostBytes(float64(n))+" read, "+hostBytes(float64(size-tf.off))+" left for the next run")
	}
}

// drain reads the files in old to their end (at most limit bytes each)
// and closes them.
func drain(ctx context.Context, old map[string]*tailFile, limit int64, t *logTally, r *logRun) {
	for _, p := range slices.Sorted(maps.Keys(old)) {
		tf := old[p]
		t.path = tf.path
		n, eof, err := readLog(ctx, tf.f, tf.off, limit, &tf.split, t.line)
		t.bytes += n
		switch {
		case eof:
			tf.split.flush(t.line)
		case err != nil && ctx.Err() == nil:
			r.note(StatusProblem, "the previous "+tf.path+": "+logErrText(err))
		case err == nil:
			r.note(StatusOK, "the previous "+tf.path+": rotated with more than "+hostBytes(float64(limit))+" unread; the rest is skipped")
		}
		tf.f.Close()
	}
}

// close closes every followed file and forgets them: the next run is a
// first run.
func (lt *logTail) close() error {
	var errs []error
	for _, tf := range lt.files {
		errs = append(errs, tf.f.Close())
	}
	*lt = logTail{}
	return errors.Join(errs...)
}
