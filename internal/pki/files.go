package pki

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// File names kept in the data directory.
const (
	caCertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	serverCertFile = "server.crt"
	serverKeyFile  = "server.key"
)

// Limits on what is read from disk or the network, so that a stray large
// file or request cannot make the server allocate without bound.
const (
	maxFileSize = 1 << 20
	maxCSRSize  = 64 << 10
)

// writeFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed over path, so that a crash leaves either the
// old file or the new one, never a torn one.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the platform supports it; errors are
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

// readFile reads a small file, refusing ones larger than maxFileSize.
func readFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, larger than any key or certificate", path, info.Size())
	}
	return os.ReadFile(path)
}

// checkKeyPerm refuses a private key file that anyone but its owner may
// read or write. Windows has no such mode bits, so the check is skipped there.
func checkKeyPerm(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("private key %s has mode %04o, readable or writable by others; "+
			"run chmod 600 %s if it was not exposed, or replace it", path, perm, path)
	}
	return nil
}

// exists reports whether path exists; errors other than "not found" are
// returned so that an unreadable directory is not mistaken for an empty one.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// decodePEM returns the DER of the first PEM block in data, which must have
// one of the given types.
func decodePEM(data []byte, types ...string) ([]byte, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM data found")
	}
	for _, t := range types {
		if block.Type == t {
			return block.Bytes, nil
		}
	}
	return nil, fmt.Errorf("PEM block is %q, want %q", block.Type, types[0])
}

// encodePEM is pem.EncodeToMemory for one block.
func encodePEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
