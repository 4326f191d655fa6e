package seal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// OpenKeyFile returns a Box for the key in the file at path, creating the
// file with a new random key when it does not exist. A new key is written
// to a temporary file (mode 0600), synced, and linked into place only if
// no key appeared meanwhile, so two servers starting at once never end up
// with different keys, and a crash never leaves a short key file.
//
// A key file of the wrong size, or one that group or others may read or
// write (on Unix), is an error naming the file: the server must not run
// with a key that is damaged or exposed.
func OpenKeyFile(path string) (*Box, error) {
	key, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKey(path); err != nil {
			return nil, fmt.Errorf("seal: create key file %s: %w", path, err)
		}
		key, err = readKey(path)
	}
	if err != nil {
		return nil, err
	}
	return New(key)
}

// readKey reads and checks the key file; a missing file is fs.ErrNotExist.
func readKey(path string) ([]byte, error) {
	// Stat before opening: opening a FIFO or device could block or read
	// without end.
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	if err := checkMode(path, info.Mode()); err != nil {
		return nil, err
	}
	if info.Size() != KeySize {
		return nil, wrongSize(path, info.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	defer f.Close()
	// Read one byte more than a key, so a file that grew since the Stat
	// is caught without reading all of it.
	key, err := io.ReadAll(io.LimitReader(f, KeySize+1))
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if len(key) != KeySize {
		return nil, wrongSize(path, int64(len(key)))
	}
	return key, nil
}

func wrongSize(path string, size int64) error {
	return fmt.Errorf("seal: key file %s is %d bytes, want %d: it is damaged or not a vigil key; "+
		"restore it from a backup (without it, stored secrets must be entered again)", path, size, KeySize)
}

// checkMode refuses a key file others may read or write, and anything but
// a regular file. Windows has no such mode bits, so the check is skipped
// there.
func checkMode(path string, mode fs.FileMode) error {
	if !mode.IsRegular() {
		return fmt.Errorf("seal: key file %s is not a regular file", path)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return fmt.Errorf("seal: key file %s has mode %04o, readable or writable by others; "+
			"run chmod 600 %s if it was not exposed", path, perm, path)
	}
	return nil
}

// createKey writes a new random key to path unless a file is there
// already (another process won the race: its key is used).
func createKey(path string) error {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := writeSynced(tmp, key); err != nil {
		return err
	}
	// Link fails when path exists, so a key another process just created
	// is never replaced. Where hard links are not supported, rename.
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err := os.Rename(name, path); err != nil {
			return err
		}
	}
	syncDir(dir)
	return nil
}

func writeSynced(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the new name durable where the platform allows; errors are
// ignored because some file systems refuse to sync directories.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
