//go:build linux || darwin || freebsd || netbsd || openbsd

package fim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	out := fromUnix(&st)
	return out, readLink(path, &out)
}

// fromUnix is the fileStat of what lstat or fstat returned.
func fromUnix(st *unix.Stat_t) fileStat {
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
	return out
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
// a byte is read (a device node must never be read). Given the zero
// fileStat (the walk knows from the directory that a regular file was
// there, and left the stat to this open), that fstat is the object.
func openContent(at *dirHandle, path string, want fileStat) (contentReader, error) {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	fd, err := openRetry(at, path, flags|noatime)
	if err == unix.EPERM && noatime != 0 { // O_NOATIME is only for the owner (or root)
		fd, err = openRetry(at, path, flags)
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
	f.st = fromUnix(&st)
	unseen := want == fileStat{}
	if f.st.obj.Type != TypeFile || !unseen && (f.st.dev != want.dev || f.st.ino != want.ino) {
		f.Close()
		return nil, errReplaced
	}
	return f, nil
}

// openRetry opens path, or its base name in the directory at: one
// component to look up, in the directory the walk listed.
func openRetry(at *dirHandle, path string, flags int) (int, error) {
	dirfd, name := unix.AT_FDCWD, path
	if at != nil {
		dirfd, name = at.fd, filepath.Base(path)
	}
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func closeDir(fd int) { _ = unix.Close(fd) }

// rawFile is an open regular file read with plain system calls.
type rawFile struct {
	fd int
	st fileStat // fstat when opened
}

func (f *rawFile) object() fileStat { return f.st }

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

// readNames lists a directory's entries, after checking that the
// directory opened is the one lstat described (not a symlink or a
// replacement). The entries' types come from the directory itself
// (d_type), so naming them costs no lstat. It returns a descriptor of the
// directory, for opening its files relative to it.
func readNames(path string, want fileStat) ([]dirEntry, int, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, -1, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, -1, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if uint64(st.Dev) != want.dev || st.Ino != want.ino {
		return nil, -1, errReplaced
	}
	list, err := f.ReadDir(-1)
	if err != nil {
		return nil, -1, err
	}
	entries := make([]dirEntry, len(list))
	for i, e := range list {
		entries[i] = dirEntry{name: e.Name(), regular: e.Type().IsRegular()}
	}
	// A descriptor of its own: the os.File closes its one.
	dirfd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		dirfd = -1 // files are then opened by path
	}
	return entries, dirfd, nil
}
