package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// errSharingViolation is ERROR_SHARING_VIOLATION: another handle has the
// file open without sharing.
const errSharingViolation syscall.Errno = 32

// lockDir opens the lock file of dir with no sharing allowed, which locks
// it until the handle is closed or the process dies.
func lockDir(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, lockName)
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, errSharingViolation) {
		return nil, fmt.Errorf("lock %s: %w", dir, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return os.NewFile(uintptr(h), path).Close, nil
}

// syncDir does nothing: Windows cannot open a directory for syncing, and
// NTFS journals the metadata of renames itself.
func syncDir(string) error { return nil }
