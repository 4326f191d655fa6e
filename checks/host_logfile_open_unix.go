//go:build unix

package checks

import (
	"os"
	"syscall"
)

// openLog opens a log file's real path for reading. O_NOFOLLOW refuses
// a symbolic link put in its place after the path was checked, and
// O_NONBLOCK keeps the open from hanging if a FIFO took its place; on a
// regular file neither changes anything.
func openLog(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
