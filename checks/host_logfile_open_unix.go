//go:build unix

package checks

import (
	"os"
	"syscall"
)

// openLog opens a log file for reading. O_NONBLOCK keeps the open from
// hanging if a FIFO took the file's place after it was checked; on a
// regular file it changes nothing.
func openLog(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
