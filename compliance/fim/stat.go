package fim

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// fileStat is what lstat tells the walk about one object.
type fileStat struct {
	obj      Object
	ctime    time.Time
	dev, ino uint64 // identity, for loop detection and for noticing a swap
}

// describe turns a *PathError into "op: reason" without the path, which
// the ScanError carrying it names already.
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// readLink fills a symlink's target; the link is never followed.
func readLink(path string, st *fileStat) error {
	if st.obj.Type != TypeSymlink {
		return nil
	}
	target, err := os.Readlink(path)
	st.obj.Target = target
	return err
}

// contentReader is an open regular file the scan hashes.
type contentReader interface {
	Read(p []byte) (int, error)
	Close() error
	// object is what fstat said of the open file when it was opened: the
	// object recorded when the walk left the stat to the hashing worker.
	object() fileStat
	// unchanged reports an error when the file is no longer the object
	// lstat described (other size or mtime), checked after reading.
	unchanged(want fileStat) error
}

// dirEntry is one name in a directory. regular is what the directory
// itself says of the entry's type (d_type), without an lstat: true only
// when it names a regular file (false when unknown).
type dirEntry struct {
	name    string
	regular bool
}

// opener is how a scan reads the file system beyond lstat; tests replace
// it to inject errors that root cannot otherwise get (root bypasses
// permissions).
//
// content opens path, relative to the directory at when that is not nil
// (path's base name in it). It is given the fileStat the walk's lstat
// returned, and refuses a file that is not that object; given the zero
// fileStat (the walk left the stat to the hashing worker) it takes the
// regular file it opened as it is, and object() says what that is.
//
// names lists a directory, unsorted, and returns a descriptor of it the
// caller closes (-1 when it keeps none).
type opener struct {
	content func(at *dirHandle, path string, want fileStat) (contentReader, error)
	names   func(path string, want fileStat) ([]dirEntry, int, error)
}

var osOpener = opener{content: openContent, names: readNames}
