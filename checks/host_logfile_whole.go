package checks

import (
	"context"
	"io/fs"
	"os"
	"slices"
)

// readWhole reads each file from its start, up to max_read_bytes.
func (c *logfileChecker) readWhole(ctx context.Context, target string, t *logTally, r *logRun) {
	paths := logGlob(ctx, target, c.readable, r)
	var done []fs.FileInfo // a file reached through two names is read once
	for _, p := range paths {
		if ctx.Err() != nil {
			return
		}
		f, info, skip, err := openLogFile(p, c.readable)
		if !r.usable(p, skip, err) {
			continue
		}
		if slices.ContainsFunc(done, func(d fs.FileInfo) bool { return os.SameFile(d, info) }) {
			f.Close()
			continue
		}
		done = append(done, info)
		r.read(p)
		var split lineSplitter
		split.max = logMaxLine
		t.path = p
		n, eof, err := readLog(ctx, f, 0, c.s.MaxReadBytes, &split, t.line)
		f.Close()
		t.bytes += n
		switch {
		case err != nil && ctx.Err() == nil:
			r.note(StatusProblem, p+": "+logErrText(err))
		case eof:
			split.flush(t.line)
		case info.Size() > n:
			r.note(StatusOK, p+": read only the first "+hostBytes(float64(n))+" of "+hostBytes(float64(info.Size())))
		}
	}
}
