package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound is returned when a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a unique key (a user name, say) is taken.
	ErrConflict = errors.New("already exists")
	// ErrLocked is returned by Open when another process holds the file.
	ErrLocked = errors.New("the store is locked by another process")
)

// FileName is the bbolt file inside the data directory.
const FileName = "vigil.db"

// DB is the server's store.
type DB struct {
	bolt *bolt.DB
	path string
	// stopRelease ends the loop that releases the file's mapping;
	// releaseDone is closed when it has.
	stopRelease, releaseDone chan struct{}
	closeOnce                sync.Once
}

// Options tune Open.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// file before it returns ErrLocked. Zero means one second.
	LockTimeout time.Duration
	// MappingRelease is how often the process's mapping of the file is
	// released (see releaseMappingLoop): zero means
	// DefaultMappingRelease, a negative value never.
	MappingRelease time.Duration
}

// Open opens (creating if needed) the store in dir and brings its schema
// up to date.
func Open(dir string, opts Options) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	path := filepath.Join(dir, FileName)
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, stopRelease: make(chan struct{}), releaseDone: make(chan struct{})}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, err
	}
	go db.releaseMappingLoop(opts.MappingRelease)
	return db, nil
}

// Close closes the file. Every committed write is already on disk.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.stopRelease) })
	<-db.releaseDone
	return db.bolt.Close()
}

// releaseMappingLoop releases bbolt's mapping of the file every period
// (DefaultMappingRelease when zero; never when negative).
//
// Why: bbolt reads the file through one shared mapping, and every page a
// read faults in brings the 64 KiB around it into this process's RSS (the
// kernel's fault-around, which bbolt's MADV_RANDOM does not stop). Those
// are clean pages of the page cache the kernel can drop, yet RSS counts
// them, and with a store that grows for days they end up covering the
// whole file. Released every few seconds, the mapping holds only what was
// read since: the pages of the open chunks and whatever a query or Compact
// just read. See releaseFileMapping for why this is safe.
func (db *DB) releaseMappingLoop(period time.Duration) {
	defer close(db.releaseDone)
	if period == 0 {
		period = DefaultMappingRelease
	}
	ino, ok := fileInode(db.path)
	if period < 0 || !ok {
		<-db.stopRelease
		return
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-db.stopRelease:
			return
		case <-t.C:
			// A read transaction keeps bbolt from remapping meanwhile.
			_ = db.bolt.View(func(*bolt.Tx) error {
				_, err := releaseFileMapping(ino)
				return err
			})
		}
	}
}

// DefaultMappingRelease is how often the store releases its mapping of the
// file by default.
const DefaultMappingRelease = time.Second

// Path is the bbolt file's path.
func (db *DB) Path() string { return db.path }

// Size is the current size of the bbolt file in bytes.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n, err
}
