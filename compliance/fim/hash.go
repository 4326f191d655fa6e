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
)

var (
	errReplaced         = errors.New("replaced while being read (not the object lstat saw)")
	errChangedWhileRead = errors.New("changed while being read")
	errVanished         = errors.New("vanished during the scan")
)

// hashBuffer is each worker's read size: large enough that syscalls cost
// nothing next to hashing, small enough that four workers stay tiny.
const hashBuffer = 256 << 10

// hasher reads and hashes regular files for one scan.
type hasher struct {
	budget *budget
	hashed atomic.Uint64 // bytes read so far, for live progress
	open   func(at *dirHandle, path string, want fileStat) (contentReader, error)
}

// hashItem hashes one file of a group into it.sum (or it.hashErr). A
// file the walk left unseen (statLater) gets its stat from the open file.
func (h *hasher) hashItem(ctx context.Context, it *item, sum hash.Hash, buf []byte) {
	f, err := h.open(it.dir, it.path, it.st) // the zero fileStat when statLater
	if err != nil {
		if it.statLater {
			err = unseenOpenError(it.path, err)
		}
		it.hashErr = err
		return
	}
	defer f.Close()
	if it.statLater {
		it.st = f.object()
	}
	it.sum, it.hashErr = h.hashFile(ctx, f, it.st, sum, buf)
}

// unseenOpenError says why a file the walk did not lstat could not be
// opened as the walk would have said it had it looked: the error of lstat
// when that fails too (a file gone is "vanished during the scan"), else
// the open's.
func unseenOpenError(path string, openErr error) error {
	_, err := lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errVanished
	case err != nil:
		return err
	}
	return openErr
}

// hashFile streams the file's content through SHA-256, so a file of any
// size costs one buffer. The file must still be the object lstat saw and
// must not change size or mtime while it is read; otherwise the error
// says so and the caller keeps the old record.
func (h *hasher) hashFile(ctx context.Context, f contentReader, want fileStat, sum hash.Hash, buf []byte) (string, error) {
	sum.Reset()
	var n int64
	size := h.budget.chunk(len(buf))
	// Read what lstat promised and no more: the fstat in unchanged tells
	// whether the file grew, without another read to see EOF.
	for n < want.obj.Size {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if err := h.budget.wait(ctx, size); err != nil {
			return "", err
		}
		m, err := f.Read(buf[:size])
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
