package checks

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
)

const (
	// logChunk is how much is read at once; ctx is checked between chunks.
	logChunk = 64 << 10
	// logMaxFiles bounds the files one target may name: each watched file
	// holds a descriptor and up to logMaxLine of an unfinished line.
	logMaxFiles = 256
	// logMaxDirEntries bounds the directory entries one run looks at to
	// expand a glob: "/var/log/*/*/*/*" must not cost the host a walk of
	// everything below.
	logMaxDirEntries = 1 << 16
)

// logBufs holds read buffers shared by every logfile checker, so an idle
// checker keeps none.
var logBufs = sync.Pool{New: func() any { b := make([]byte, logChunk); return &b }}

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
