package fim

import (
	"sync"
	"sync/atomic"
)

// maxOpenDirs bounds the directory descriptors a scan keeps open for its
// hashing workers; past it, files are opened by their full path.
const maxOpenDirs = 128

// dirHandle is an open directory whose files the hashing workers open
// relative to it (openat), which saves the kernel a lookup of every
// component of the path per file and opens the file in the very
// directory the walk listed. Each file waiting to be opened holds a
// reference, and so does the walk while it lists; the last to let go
// closes it.
type dirHandle struct {
	fd   int
	refs atomic.Int32
	set  *dirSet
}

// dirSet is a scan's open directories, so that those still held when a
// scan stops (items never hashed) are closed with it.
type dirSet struct {
	mu   sync.Mutex
	open map[*dirHandle]struct{}
}

// keep takes over fd (from readNames, -1 for none) as a handle held once
// by the caller, or closes it and returns nil when too many are open.
func (s *dirSet) keep(fd int) *dirHandle {
	if fd < 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.open) >= maxOpenDirs {
		closeDir(fd)
		return nil
	}
	if s.open == nil {
		s.open = map[*dirHandle]struct{}{}
	}
	d := &dirHandle{fd: fd, set: s}
	d.refs.Store(1)
	s.open[d] = struct{}{}
	return d
}

// hold adds a reference for one more file to open; nil-safe.
func (d *dirHandle) hold() *dirHandle {
	if d != nil {
		d.refs.Add(1)
	}
	return d
}

// release drops a reference, closing the directory with the last; nil-safe.
func (d *dirHandle) release() {
	if d != nil && d.refs.Add(-1) == 0 {
		d.set.close(d)
	}
}

func (s *dirSet) close(d *dirHandle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.open[d]; ok {
		delete(s.open, d)
		closeDir(d.fd)
	}
}

// closeAll closes what is still open once the scan's goroutines are done.
func (s *dirSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d := range s.open {
		closeDir(d.fd)
	}
	s.open = nil
}
