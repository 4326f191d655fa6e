package checks

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

const (
	// logChunk is how much is read at once; ctx is checked between chunks.
	logChunk = 64 << 10
	// logMaxFiles bounds the files one target may name: each watched file
	// holds a descriptor and up to logMaxLine of an unfinished line.
	logMaxFiles = 256
)

// logBufs holds read buffers shared by every logfile checker, so an idle
// checker keeps none.
var logBufs = sync.Pool{New: func() any { b := make([]byte, logChunk); return &b }}

// logGlob returns the files target names, at most logMaxFiles of them,
// and how many matched in all. A target without glob characters is
// returned as it is, so that a missing or unreadable file is reported
// with its own error rather than as no match.
func logGlob(target string) (paths []string, total int, err error) {
	if !logIsGlob(target) {
		return []string{target}, 1, nil
	}
	paths, err = filepath.Glob(target)
	if err != nil {
		return nil, 0, err
	}
	return paths[:min(len(paths), logMaxFiles)], len(paths), nil
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

// logSkipReason says why a file named by the target is not read ("is a
// directory"), or "" for a regular file. Pipes and devices are never
// opened: a FIFO would block the open, /dev/zero would never end.
func logSkipReason(info fs.FileInfo) string {
	switch m := info.Mode(); {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "is a directory"
	}
	return "is not a regular file"
}

// openLogFile opens path and returns the open file's own FileInfo, the
// identity later runs compare with. A file that is not regular is closed
// again and reported through skip.
func openLogFile(path string) (f *os.File, info fs.FileInfo, skip string, err error) {
	f, err = openLog(path)
	if err != nil {
		return nil, nil, "", err
	}
	info, err = f.Stat()
	if err == nil {
		skip = logSkipReason(info)
	}
	if err != nil || skip != "" {
		f.Close()
		return nil, info, skip, err
	}
	return f, info, "", nil
}

// readLog reads f from offset off until its end or limit bytes, whichever
// comes first, in logChunk blocks, passing the lines to line. It returns
// how much it read and whether it reached the end. ctx is checked between
// blocks.
func readLog(ctx context.Context, f *os.File, off, limit int64, split *lineSplitter, line func([]byte)) (n int64, eof bool, err error) {
	bp := logBufs.Get().(*[]byte)
	defer logBufs.Put(bp)
	buf := *bp
	for n < limit {
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		k, rerr := f.ReadAt(buf[:min(int64(len(buf)), limit-n)], off+n)
		if k > 0 {
			split.feed(buf[:k], line)
			n += int64(k)
		}
		if errors.Is(rerr, io.EOF) {
			return n, true, nil
		}
		if rerr != nil {
			return n, false, rerr
		}
	}
	return n, false, nil
}

// logErrText is the part of a file error a person needs after the path:
// "permission denied", not "open /var/log/secure: permission denied".
func logErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
