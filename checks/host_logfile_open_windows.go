//go:build windows

package checks

import (
	"io/fs"
	"os"
	"syscall"
)

// openLog opens a log file's real path for reading, sharing delete and
// rename access: os.Open does not, and a file the rolling mode keeps open
// between runs would stop the writing program from rotating it.
// FILE_FLAG_OPEN_REPARSE_POINT opens a link put in its place after the
// path was checked as the link itself, which is then not a regular file.
func openLog(path string) (*os.File, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	share := uint32(syscall.FILE_SHARE_READ | syscall.FILE_SHARE_WRITE | syscall.FILE_SHARE_DELETE)
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ, share, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
