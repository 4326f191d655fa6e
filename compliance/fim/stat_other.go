//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package fim

import (
	"fmt"
	"io/fs"
	"os"
)

// lstat describes path from what os.Lstat offers on this system: no
// owner, inode or ctime, so loops cannot be detected by identity and an
// incremental rescan relies on size and mtime.
func lstat(path string) (fileStat, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileStat{}, err
	}
	st := fromFileInfo(fi)
	return st, readLink(path, &st)
}

// fromFileInfo is the fileStat of what os.Lstat or Stat returned.
func fromFileInfo(fi fs.FileInfo) fileStat {
	m := fi.Mode()
	st := fileStat{obj: Object{Type: TypeOther, Size: fi.Size(), Mode: uint32(m.Perm()), MTime: fi.ModTime().UTC()}}
	switch {
	case m.IsRegular():
		st.obj.Type = TypeFile
	case m.IsDir():
		st.obj.Type, st.obj.Size = TypeDir, 0
	case m&fs.ModeSymlink != 0:
		st.obj.Type = TypeSymlink
	default:
		st.obj.Size = 0
	}
	if m&fs.ModeSetuid != 0 {
		st.obj.Mode |= 04000
	}
	if m&fs.ModeSetgid != 0 {
		st.obj.Mode |= 02000
	}
	if m&fs.ModeSticky != 0 {
		st.obj.Mode |= 01000
	}
	return st
}

func openContent(at *dirHandle, path string, want fileStat) (contentReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

type osFile struct{ *os.File }

func (f osFile) object() fileStat {
	fi, err := f.Stat()
	if err != nil {
		return fileStat{}
	}
	return fromFileInfo(fi)
}

func (f osFile) unchanged(want fileStat) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errReplaced
	}
	if fi.Size() != want.obj.Size || !fi.ModTime().Equal(want.obj.MTime) {
		return fmt.Errorf("%w (size %d, now %d)", errChangedWhileRead, want.obj.Size, fi.Size())
	}
	return nil
}

// readNames lists a directory's names. No entry is marked regular: the
// walk then lstats each, as openContent cannot tell it what it opened;
// and no descriptor is kept: files are opened by path.
func readNames(path string, want fileStat) ([]dirEntry, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, -1, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	entries := make([]dirEntry, len(names))
	for i, n := range names {
		entries[i] = dirEntry{name: n}
	}
	return entries, -1, err
}

func closeDir(int) {}
