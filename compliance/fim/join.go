package fim

import (
	"context"
	"strings"
	"sync/atomic"
)

// item is one thing the scan decides about, in key order: a walked object
// (with the stored record of the same path, if any), a stored record the
// walk did not find (removed), or an error to report.
type item struct {
	key, path string
	st        fileStat
	hasObject bool
	stored    *record
	corrupt   bool // the stored record at key could not be decoded
	removed   bool // stored, not found by the walk
	err       string

	hash      bool       // a worker hashes the file; sum and hashErr are set before its group is sent on hashed
	statLater bool       // st is filled by the worker from the open file (see walker.statLater)
	dir       *dirHandle // statLater: where to open it; the worker releases it
	sum       string
	hashErr   error

	flight inflight // the worker's claim on it, seen by the stall watchdog
}

// group is a run of consecutive items handed on together. Hashing
// workers sit on OS threads of their own (for their low priority), and a
// thread that blocks costs two context switches to wake: handing files
// over one by one, that cost rivals hashing a small file.
//
// A group is handed to up to every worker at once, and the workers claim
// its files one at a time (next): so the group the reporter waits for is
// hashed by all the workers free, and files whose size the walk did not
// look at (statLater) are still spread over the workers.
type group struct {
	items  []*item
	slab   []item        // where items point
	bytes  int64         // to hash, as far as known
	names  int           // bytes of the items' keys and paths
	hashes int32         // items to hash
	hashed chan<- *group // told the group when left reaches 0 (the scan's, shared)
	next   atomic.Int32  // the next item a worker claims
	left   atomic.Int32  // items to hash not hashed yet
}

// A group is handed on once it holds groupItems items or groupBytes bytes
// to hash, so big files are hashed in parallel, not one after another.
//
// groupNames bounds a group by its items' keys and paths too: 64 ordinary
// paths take about 6 KB, but 64 paths of 4 KiB (a tree made to exhaust the
// agent) 512 KB, times the groups in flight.
const (
	groupItems = 64
	groupBytes = 1 << 20
	groupNames = 64 << 10
)

// joiner merge-joins the walk with the stored records: both come in key
// order, so one pass with one record of look-ahead pairs them up, and a
// stored record passed over by the walk was removed.
type joiner struct {
	ctx     context.Context
	stored  *storedIter
	plan    plan
	full    bool // re-hash every file this scan
	ordered chan<- *group
	jobs    chan<- *group
	hashed  chan<- *group // see group.hashed
	workers int
	cur     *group
}

// event handles one walk event.
func (j *joiner) event(ev walkEvent) error {
	if err := j.removeBefore(ev.key); err != nil {
		return err
	}
	it := j.newItem()
	it.key, it.path, it.st, it.hasObject, it.err = ev.key, ev.path, ev.st, ev.hasObject, ev.err
	r, err := j.stored.peek()
	if err != nil {
		return err
	}
	if r != nil && r.key == ev.key {
		j.stored.next()
		if r.corrupt {
			it.corrupt = true
		} else {
			rec := r.rec
			it.stored = &rec
		}
	}
	if ev.keepSelf {
		// The path could not be looked at: its old records stay as they are.
		it.stored, it.corrupt = nil, false
	}
	if ev.keepSelf || ev.keepBelow {
		if err := j.skipBelow(ev.key); err != nil {
			return err
		}
	}
	if it.hasObject && (ev.statLater || j.needsHash(it)) {
		it.hash, it.statLater, it.dir = true, ev.statLater, ev.dir
	}
	return j.add(it)
}

// newItem returns a zero item from the current group's slab; add must put
// it in that group before the next newItem. One allocation per group, not
// per file: less for the garbage collector to chase (see scanGCPercent).
func (j *joiner) newItem() *item {
	if j.cur == nil {
		j.cur = &group{items: make([]*item, 0, groupItems), slab: make([]item, 0, groupItems), hashed: j.hashed}
	}
	g := j.cur
	if len(g.slab) == cap(g.slab) {
		g.slab = make([]item, 0, groupItems) // a group grown past groupItems (never, as add flushes)
	}
	g.slab = g.slab[:len(g.slab)+1]
	return &g.slab[len(g.slab)-1]
}

// add puts it, from newItem, in the current group, handing the group on
// when it is full.
func (j *joiner) add(it *item) error {
	g := j.cur
	g.items = append(g.items, it)
	if it.hash {
		g.bytes += it.st.obj.Size
		g.hashes++
	}
	g.names += len(it.key) + len(it.path)
	if len(g.items) < groupItems && g.bytes < groupBytes && g.names < groupNames {
		return nil
	}
	return j.flush()
}

// flush hands the current group to the workers (if it has files to hash)
// and to the reporter.
func (j *joiner) flush() error {
	g := j.cur
	if g == nil {
		return nil
	}
	j.cur = nil
	if g.hashes > 0 {
		g.left.Store(g.hashes)
		for range min(j.workers, int(g.hashes)) {
			if err := send(j.ctx, j.jobs, g); err != nil {
				return err
			}
		}
	}
	return send(j.ctx, j.ordered, g)
}

// needsHash decides whether the file's content must be read: always in a
// baseline or full re-hash, else only when size, mtime, ctime or inode
// moved (content cannot change without moving ctime).
func (j *joiner) needsHash(it *item) bool {
	if !j.plan.hash || it.st.obj.Type != TypeFile {
		return false
	}
	old := it.stored
	if j.full || old == nil || old.Type != TypeFile || old.SHA256 == "" ||
		old.Size != it.st.obj.Size || !old.MTime.Equal(it.st.obj.MTime) ||
		!old.CTime.Equal(it.st.ctime) || old.Inode != it.st.obj.Inode {
		return true
	}
	it.sum = old.SHA256
	return false
}

// removeBefore reports every stored record before key as removed.
func (j *joiner) removeBefore(key string) error {
	return j.removeWhile(func(k string) bool { return k < key })
}

// removeWhile reports stored records as removed while before says so.
func (j *joiner) removeWhile(before func(key string) bool) error {
	for {
		r, err := j.stored.peek()
		if err != nil || r == nil || !before(r.key) {
			return err
		}
		j.stored.next()
		it := j.newItem()
		it.key, it.path, it.removed, it.corrupt = r.key, keyPath(r.key), true, r.corrupt
		if !r.corrupt {
			rec := r.rec
			it.stored = &rec
		}
		if err := j.add(it); err != nil {
			return err
		}
	}
}

// skipBelow passes over the stored records below key without a change:
// the walk could not look there, so they stay as they were.
func (j *joiner) skipBelow(key string) error {
	prefix := subtreePrefix(key)
	for {
		r, err := j.stored.peek()
		if err != nil || r == nil || !strings.HasPrefix(r.key, prefix) {
			return err
		}
		j.stored.next()
	}
}

// finish reports the stored records after the walk's last key as removed.
func (j *joiner) finish() error {
	if err := j.removeWhile(func(string) bool { return true }); err != nil {
		return err
	}
	return j.flush()
}

func send(ctx context.Context, ch chan<- *group, g *group) error {
	select {
	case ch <- g:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
