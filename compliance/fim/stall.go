package fim

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"
	"time"
)

// defaultStallLimit is how long one file's read may make no progress (or
// run past the time its size takes under the I/O budget) before it is
// abandoned: a file on a hung network or FUSE mount must not stall the
// scan, nor every policy on the host waiting for the agent's scan slot.
const defaultStallLimit = 60 * time.Second

// cancelGrace is how long a stopped scan waits for a read in progress
// before it abandons it: a read that is not stuck returns sooner.
const cancelGrace = time.Second

// States of an inflight file.
const (
	inflightRunning = iota
	inflightDone
	inflightAbandoned
)

// inflight is one file a worker is hashing. Whoever moves state away from
// inflightRunning first finishes the item: the worker with its result,
// or the watchdog with the reason it gave up; the other leaves it alone.
type inflight struct {
	it       *item
	g        *group
	state    atomic.Int32
	last     atomic.Int64 // unix nanoseconds of the last progress
	deadline atomic.Int64 // unix nanoseconds the read must end by; 0 none
	bigHeld  bool         // holds a bigFiles reading slot (only its worker touches it)
}

// touch records progress; nil-safe.
func (f *inflight) touch() {
	if f != nil {
		f.last.Store(time.Now().UnixNano())
	}
}

// overdue says why the read should be abandoned at now, or nil.
func (f *inflight) overdue(now int64, limit time.Duration) error {
	if d := f.deadline.Load(); d != 0 && now > d {
		return fmt.Errorf("read took longer than its size allows under the I/O limit plus %s: abandoned", limit)
	}
	if now-f.last.Load() > int64(limit) {
		return fmt.Errorf("read made no progress for %s: abandoned", limit)
	}
	return nil
}

// finish hands the item back to its group.
func (f *inflight) finish() {
	f.it.dir.release()
	if f.g.left.Add(-1) == 0 {
		f.g.hashed <- f.g // never blocks: see hashedCap
	}
}

// workerSlot is what the watchdog sees of one worker.
type workerSlot struct{ cur atomic.Pointer[inflight] }

// hashPool is a scan's hashing workers and their watchdog. A worker stuck
// in a read the kernel does not return from cannot be interrupted; the
// watchdog gives up on its file (an error, the old record kept), starts a
// fresh worker in its place, and lets the stuck one end by itself
// whenever its read returns, without touching the scan again.
type hashPool struct {
	ctx   context.Context
	h     *hasher
	jobs  <-chan *group
	limit time.Duration

	wg    sync.WaitGroup // workers in the pool (not those given up on)
	mu    sync.Mutex
	slots map[*workerSlot]bool
	stop  chan struct{}
}

func newHashPool(ctx context.Context, h *hasher, jobs <-chan *group, workers int) *hashPool {
	p := &hashPool{ctx: ctx, h: h, jobs: jobs, limit: h.stallLimit, slots: map[*workerSlot]bool{}, stop: make(chan struct{})}
	for range workers {
		p.spawn()
	}
	go p.watch()
	return p
}

// wait returns once every worker in the pool has ended.
func (p *hashPool) wait() {
	p.wg.Wait()
	close(p.stop)
}

func (p *hashPool) spawn() {
	slot := &workerSlot{}
	p.mu.Lock()
	p.slots[slot] = true
	p.mu.Unlock()
	p.wg.Add(1)
	go p.work(slot)
}

func (p *hashPool) leave(slot *workerSlot) {
	p.mu.Lock()
	delete(p.slots, slot)
	p.mu.Unlock()
	p.wg.Done()
}

// work hashes, at low priority, the files of the groups it is given,
// claiming them one by one with the other workers given the same group;
// whoever finishes a group's last file tells the reporter. A big file
// put off (see bigFiles) is read first whenever a worker may.
func (p *hashPool) work(slot *workerSlot) {
	lowerThreadPriority()
	buf := make([]byte, hashBuffer)
	sum := sha256.New()
	big := p.h.big
	jobs := p.jobs
	for {
		if f := big.take(); f != nil {
			if !p.hash(slot, f, sum, buf) {
				return
			}
			continue
		}
		if jobs == nil { // the walk is over and nothing is put off
			break
		}
		select {
		case g, ok := <-jobs:
			if !ok {
				jobs = nil
				if !big.left() {
					p.leave(slot)
					return
				}
				continue
			}
			for {
				i := int(g.next.Add(1)) - 1
				if i >= len(g.items) {
					break
				}
				it := g.items[i]
				if !it.hash {
					continue
				}
				f := &it.flight
				f.it, f.g = it, g
				if !p.hash(slot, f, sum, buf) {
					return
				}
			}
		case <-big.wake:
		}
	}
	p.leave(slot)
}

// hash hashes f's file, or puts it off when it is big and no worker may
// read one now. It returns false when the watchdog gave up on this worker
// (another has taken its place, and this one must end).
func (p *hashPool) hash(slot *workerSlot, f *inflight, sum hash.Hash, buf []byte) bool {
	it := f.it
	f.touch()
	slot.cur.Store(f)
	st, digest, err := it.st, "", p.ctx.Err()
	if err == nil {
		st, digest, err = p.h.hashItem(p.ctx, f, sum, buf)
	}
	slot.cur.Store(nil)
	p.h.big.release(f)
	if errors.Is(err, errPutOff) {
		if f.state.Load() != inflightRunning {
			return false // given up on while it opened the file
		}
		p.h.big.putOffFile(f) // no longer in a slot: the watchdog leaves it be
		return true
	}
	if !f.state.CompareAndSwap(inflightRunning, inflightDone) {
		return false // given up on: another worker has taken this one's place
	}
	it.st, it.sum, it.hashErr = st, digest, err
	f.finish()
	return true
}

// watch gives up on reads that stall until the pool is done.
func (p *hashPool) watch() {
	tick := time.NewTicker(max(min(p.limit/20, cancelGrace/4), 5*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
		p.mu.Lock()
		slots := make([]*workerSlot, 0, len(p.slots))
		for s := range p.slots {
			slots = append(slots, s)
		}
		p.mu.Unlock()
		now := time.Now().UnixNano()
		for _, slot := range slots {
			f := slot.cur.Load()
			if f == nil {
				continue
			}
			why := f.overdue(now, p.limit)
			stopped := p.ctx.Err() != nil
			if stopped && now-f.last.Load() > int64(min(cancelGrace, p.limit)) {
				why = p.ctx.Err()
			}
			if why == nil || !f.state.CompareAndSwap(inflightRunning, inflightAbandoned) {
				continue
			}
			f.it.hashErr = why
			if !stopped {
				p.spawn() // before leave: the pool never looks empty meanwhile
			}
			p.leave(slot)
			f.finish()
		}
	}
}
