package fim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"sync/atomic"
	"time"
)

var (
	errReplaced         = errors.New("replaced while being read (not the object lstat saw)")
	errChangedWhileRead = errors.New("changed while being read")
	errVanished         = errors.New("vanished during the scan")
	errPutOff           = errors.New("a big file put off until a worker may read it")
)

// hashBuffer is each worker's read size: large enough that syscalls cost
// nothing next to hashing, small enough that four workers stay tiny.
const hashBuffer = 256 << 10

// hashAttempts is how often a file that changes while it is read is
// read: a file rewritten now and then is hashed on a later attempt.
const hashAttempts = 3

// hasher reads and hashes regular files for one scan.
type hasher struct {
	budget     *budget
	workers    int           // sharing budget
	stallLimit time.Duration // see defaultStallLimit
	hashed     atomic.Uint64 // bytes read so far, for live progress
	open       func(at *dirHandle, path string, want fileStat) (contentReader, error)
	big        *bigFiles
}

// stillChanging is the error of a file that changed during every one of
// its reads: the scan knows its metadata (st) but not its content.
type stillChanging struct {
	err      error
	attempts int
}

func (e *stillChanging) Error() string { return fmt.Sprintf("%v; read %d times", e.err, e.attempts) }
func (e *stillChanging) Unwrap() error { return e.err }

// hashItem hashes the file of f.it and returns what to record of it (its
// stat), its digest, or why it could not. A file that changed while it
// was read is looked at afresh and read again, up to hashAttempts times;
// when it changed every time the error is a *stillChanging and the stat
// is the last look at it. A file the walk left unseen (statLater) gets
// its stat from the open file.
func (h *hasher) hashItem(ctx context.Context, f *inflight, sum hash.Hash, buf []byte) (fileStat, string, error) {
	it := f.it
	st, digest, err := h.hashOnce(ctx, f, it.path, it.st, it.statLater, sum, buf)
	attempts := 1
	for ; attempts < hashAttempts && changedWhileRead(err); attempts++ {
		now, lerr := lstat(it.path)
		if lerr != nil || now.obj.Type != TypeFile {
			return st, "", err // gone or no longer a file: the next scan sees what it is
		}
		st = now
		_, digest, err = h.hashOnce(ctx, f, it.path, now, false, sum, buf)
	}
	if changedWhileRead(err) && st.obj.Type == TypeFile {
		err = &stillChanging{err: err, attempts: attempts}
	}
	return st, digest, err
}

func changedWhileRead(err error) bool {
	return errors.Is(err, errChangedWhileRead) || errors.Is(err, errReplaced)
}

// hashOnce opens and hashes the file once, as the object want (the zero
// fileStat when unseen: then the open file's fstat is the object).
func (h *hasher) hashOnce(ctx context.Context, f *inflight, path string, want fileStat, unseen bool, sum hash.Hash, buf []byte) (fileStat, string, error) {
	f.touch()
	if unseen {
		want = fileStat{}
	}
	file, err := h.open(f.it.dir, path, want)
	if err != nil {
		if unseen {
			want, err = unseenOpenError(path, err)
		}
		return want, "", err
	}
	defer file.Close()
	if unseen {
		want = file.object()
	}
	if want.obj.Size >= bigFile && !f.bigHeld && !h.big.admit(f) {
		return want, "", errPutOff
	}
	if rate := h.budget.rate; rate > 0 {
		// The workers share the budget: at worst this file gets its share.
		// A burst's worth more for the tokens other files took first.
		bytes := float64(want.obj.Size) + h.budget.burst
		took := time.Duration(bytes * float64(max(h.workers, 1)) / rate * float64(time.Second))
		f.deadline.Store(time.Now().Add(took + h.stallLimit).UnixNano())
	}
	digest, err := h.hashFile(ctx, f, file, want, sum, buf)
	return want, digest, err
}

// unseenOpenError says why a file the walk did not lstat could not be
// opened as the walk would have said it had it looked: the error of lstat
// when that fails too (a file gone is "vanished during the scan"), else
// the open's. What lstat saw comes with it, so a file the agent may not
// read is still recorded with its metadata.
func unseenOpenError(path string, openErr error) (fileStat, error) {
	st, err := lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fileStat{}, errVanished
	case err != nil:
		return fileStat{}, err
	}
	return st, openErr
}

// hashFile streams the file's content through SHA-256, so a file of any
// size costs one buffer. The file must still be the object lstat saw and
// must not change size or mtime while it is read; otherwise the error
// says so and the caller keeps the old record.
func (h *hasher) hashFile(ctx context.Context, fl *inflight, f contentReader, want fileStat, sum hash.Hash, buf []byte) (string, error) {
	sum.Reset()
	var n int64
	size := h.budget.chunk(len(buf))
	// Read what lstat promised and no more: the fstat in unchanged tells
	// whether the file grew, without another read to see EOF.
	for n < want.obj.Size {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		// Charge what is left to read, not the whole chunk: a small file
		// costs its size.
		if err := h.budget.wait(ctx, int(min(int64(size), want.obj.Size-n))); err != nil {
			return "", err
		}
		fl.touch()
		m, err := f.Read(buf[:size])
		fl.touch()
		sum.Write(buf[:m])
		n += int64(m)
		h.hashed.Add(uint64(m))
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read: %w", err)
		}
	}
	if n != want.obj.Size {
		return "", fmt.Errorf("%w (size %d, read %d)", errChangedWhileRead, want.obj.Size, n)
	}
	if err := f.unchanged(want); err != nil {
		return "", err
	}
	var out [sha256.Size]byte
	return hex.EncodeToString(sum.Sum(out[:0])), nil
}
