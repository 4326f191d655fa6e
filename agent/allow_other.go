//go:build !unix

package agent

import (
	"io/fs"
	"os"
)

// allowOwnerProblem checks nothing where file modes do not say who may
// write: on Windows the directory's ACL must keep others out (see
// docs/checks/shell.md).
func allowOwnerProblem(fs.FileInfo, int) string { return "" }

// allowFileID has nothing to add beyond the stat's time, size and mode.
func allowFileID(fs.FileInfo) (owner uint32, inode uint64) { return 0, 0 }

// openAllowFile opens path; read has refused a symbolic link already.
func openAllowFile(path string) (*os.File, error) { return os.Open(path) }
