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
	// unchanged reports an error when the file is no longer the object
	// lstat described (other size or mtime), checked after reading.
	unchanged(want fileStat) error
}

// opener is how a scan reads the file system beyond lstat; tests replace
// it to inject errors that root cannot otherwise get (root bypasses
// permissions).
type opener struct {
	content func(path string, want fileStat) (contentReader, error)
	names   func(path string, want fileStat) ([]string, error) // unsorted
}

var osOpener = opener{content: openContent, names: readNames}
