//go:build linux || darwin || freebsd || netbsd || openbsd

package fim

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// lstat describes path without following a symlink, with the owner,
// inode and ctime that os.FileInfo does not carry portably.
func lstat(path string) (fileStat, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return fileStat{}, &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	out := fileStat{
		obj: Object{
			Type:  unixType(uint32(st.Mode)),
			Size:  st.Size,
			Mode:  uint32(st.Mode) & 07777,
			UID:   st.Uid,
			GID:   st.Gid,
			MTime: time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)).UTC(),
			Inode: st.Ino,
		},
		ctime: time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)).UTC(),
		dev:   uint64(st.Dev),
		ino:   st.Ino,
	}
	if out.obj.Type != TypeFile && out.obj.Type != TypeSymlink {
		out.obj.Size = 0 // a directory's size is file-system bookkeeping, not content
	}
	return out, readLink(path, &out)
}

func unixType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return TypeFile
	case unix.S_IFDIR:
		return TypeDir
	case unix.S_IFLNK:
		return TypeSymlink
	}
	return TypeOther
}

// openContent opens a regular file for hashing on a bare descriptor (an
// os.File costs extra system calls per file, which at a million small
// files is most of a scan). O_NOFOLLOW refuses a symlink swapped in after
// lstat, O_NONBLOCK keeps a FIFO swapped in from blocking the scan, and
// fstat checks that the object opened is the one lstat described before
// a byte is read (a device node must never be read).
func openContent(path string, want fileStat) (contentReader, error) {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	fd, err := openRetry(path, flags|noatime)
	if err == unix.EPERM && noatime != 0 { // O_NOATIME is only for the owner (or root)
		fd, err = openRetry(path, flags)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := &rawFile{fd: fd}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if uint64(st.Dev) != want.dev || st.Ino != want.ino || unixType(uint32(st.Mode)) != TypeFile {
		f.Close()
		return nil, errReplaced
	}
	return f, nil
}

func openRetry(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// rawFile is an open regular file read with plain system calls.
type rawFile struct{ fd int }

func (f *rawFile) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(f.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) Close() error { return unix.Close(f.fd) }

// unchanged reports whether the open file still is what lstat saw (same
// identity, size and mtime), so the hash read from it describes that object.
func (f *rawFile) unchanged(want fileStat) error {
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return fmt.Errorf("fstat: %w", err)
	}
	mtime := time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec))
	if st.Size != want.obj.Size || !mtime.Equal(want.obj.MTime) {
		return fmt.Errorf("%w (size %d, now %d)", errChangedWhileRead, want.obj.Size, st.Size)
	}
	return nil
}

// readNames lists a directory's names, after checking that the directory
// opened is the one lstat described (not a symlink or a replacement).
func readNames(path string, want fileStat) ([]string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if uint64(st.Dev) != want.dev || st.Ino != want.ino {
		return nil, errReplaced
	}
	return f.Readdirnames(-1)
}
