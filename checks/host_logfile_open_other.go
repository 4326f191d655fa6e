//go:build !unix && !windows

package checks

import "os"

// openLog opens a log file for reading.
func openLog(path string) (*os.File, error) {
	return os.Open(path)
}
