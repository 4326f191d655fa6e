package fim

import (
	"sync"
	"sync/atomic"
)

// bigFile is the size from which a file counts as big: reading it takes
// long enough (about 10 ms unthrottled, a third of a second at 50 MB/s)
// to hold a worker away from the small files behind it.
const bigFile = 16 << 20

// bigFiles keeps one worker on the small files while big ones are read:
// while other groups wait for hashing, at most workers-1 workers read a
// big file, and a worker that opens one more puts it off (closes it, to
// be read when a worker may) and goes on with the small files. Without
// this, a baseline whose first files are as many big ones as there are
// workers reports nothing, and counts nothing, until they are read. Once
// the walk is over and nothing else waits, every worker may read a big
// file; not before, since while the walk lists directories the queue of
// small files runs dry for moments at a time.
type bigFiles struct {
	mu      sync.Mutex
	workers int
	walked  atomic.Bool // the walk is over: no more small files will come
	queued  func() int  // groups waiting for a worker
	reading int         // workers reading a big file now
	putOff  []*inflight
	wake    chan struct{} // a put-off file may be read now
}

func newBigFiles(workers int, queued func() int) *bigFiles {
	return &bigFiles{workers: workers, queued: queued, wake: make(chan struct{}, 1)}
}

// mayRead reports whether one more worker may read a big file now; b.mu
// is held.
func (b *bigFiles) mayRead() bool {
	return b.reading < b.workers-1 || b.walked.Load() && b.queued() == 0
}

// walkOver says the walk handed on its last group.
func (b *bigFiles) walkOver() {
	b.walked.Store(true)
	b.signal()
}

// admit takes a reading slot for f's big file, or says to put it off.
func (b *bigFiles) admit(f *inflight) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.mayRead() {
		return false
	}
	b.reading++
	f.bigHeld = true
	return true
}

// release gives f's reading slot back, if it holds one.
func (b *bigFiles) release(f *inflight) {
	if !f.bigHeld {
		return
	}
	f.bigHeld = false
	b.mu.Lock()
	b.reading--
	b.mu.Unlock()
	b.signal()
}

// putOffFile keeps f to be read when a worker may.
func (b *bigFiles) putOffFile(f *inflight) {
	b.mu.Lock()
	b.putOff = append(b.putOff, f)
	b.mu.Unlock()
	b.signal()
}

// take returns a put-off file with a reading slot taken for it, or nil
// when there is none or no worker may read one now.
func (b *bigFiles) take() *inflight {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.putOff) == 0 || !b.mayRead() {
		return nil
	}
	f := b.putOff[0]
	b.putOff = b.putOff[1:]
	b.reading++
	f.bigHeld = true
	return f
}

// left reports whether files are put off.
func (b *bigFiles) left() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.putOff) > 0
}

func (b *bigFiles) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}
