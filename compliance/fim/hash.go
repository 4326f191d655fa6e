package fim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

var (
	errReplaced         = errors.New("replaced while being read (not the object lstat saw)")
	errChangedWhileRead = errors.New("changed while being read")
)

// hashBuffer is each worker's read size: large enough that syscalls cost
// nothing next to hashing, small enough that four workers stay tiny.
const hashBuffer = 256 << 10

// hasher reads and hashes regular files for one scan.
type hasher struct {
	budget *budget
	hashed atomic.Uint64 // bytes read so far, for live progress
	open   func(path string, want fileStat) (contentReader, error)
}

// hashFile streams the file's content through SHA-256, so a file of any
// size costs one buffer. The file must still be the object lstat saw and
// must not change size or mtime while it is read; otherwise the error
// says so and the caller keeps the old record.
func (h *hasher) hashFile(ctx context.Context, path string, want fileStat, buf []byte) (string, error) {
	f, err := h.open(path, want)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
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
	return hex.EncodeToString(sum.Sum(nil)), nil
}
