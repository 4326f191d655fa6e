//go:build unix

package agent

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// allowOwnerProblem refuses, as sshd's StrictModes does, a file or
// directory that someone besides root and the agent could change: one
// writable by group or others, or owned by another user. "" is fine.
func allowOwnerProblem(info fs.FileInfo, uid int) string {
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("is writable by group or others (mode %04o): chmod go-w it", perm)
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "has no owner to check"
	}
	if owner := int(st.Uid); owner != 0 && owner != uid {
		return fmt.Sprintf("is owned by uid %d, not by root or the agent's uid %d", owner, uid)
	}
	return ""
}

// allowFileID is the owner and inode, so a chown or a file replaced by
// another counts as a change.
func allowFileID(info fs.FileInfo) (owner uint32, inode uint64) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Uid, uint64(st.Ino)
	}
	return 0, 0
}

// openAllowFile opens path without following a symbolic link, and
// without blocking should it be a FIFO.
func openAllowFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
