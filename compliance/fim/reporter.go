package fim

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"time"
	"unicode/utf8"
)

// op is one state write: a record put, or a delete when val is nil.
type op struct {
	key string
	val []byte
}

// silentChunk is how many silent updates (attributes not watched, ctime)
// gather before they are written in their own small transaction; they
// report nothing, so they need no confirmation from the server.
const silentChunk = 1000

// maxBatchBytes bounds the paths, targets and state writes one batch (or
// one chunk of silent updates) gathers, besides its count of changes: a
// thousand changes of ordinary paths take about 300 KB, but paths and
// symlink targets of 4 KiB each (a tree made to exhaust the agent) would
// take 12 MB, times the batches in flight.
const maxBatchBytes = 1 << 20

// reporter turns items into changes, group by group as their hashing
// finishes, sends them in batches and applies each batch to the state
// once Send confirmed it.
type reporter struct {
	state    *State
	policyID string
	revision string
	plan     plan
	opts     ScanOptions
	hasher   *hasher

	ctx      context.Context // the scan's, for handing silent writes to the sender
	out      *sender
	seq      uint32
	changes  []Change
	errs     []ScanError
	ops      []op // the state writes of changes, applied with their batch
	bytes    int  // of changes, errors and ops, toward maxBatchBytes
	silent   []op
	silentB  int // bytes of silent
	progress Progress
	sum      Summary
	lastSend time.Time
}

// consume handles items until the walk is over, sending a batch whenever
// one is full and at least every opts.Every. Groups are handled as their
// hashing finishes, not in walk order: a few big files early in the walk
// would otherwise hold back everything after them, and the progress
// count with it, until they are read (the state's writes are per path,
// and the server's too, so order does not matter). At most window groups
// wait for hashing, which bounds how far the walk runs ahead.
func (r *reporter) consume(ctx context.Context, ordered <-chan *group, hashed <-chan *group) error {
	tick := time.NewTicker(min(r.opts.Every/4+time.Millisecond, 250*time.Millisecond))
	defer tick.Stop()
	waiting := map[*group]bool{} // taken from ordered, hashing not finished
	early := map[*group]bool{}   // hashing finished before taken from ordered
	walked := false
	for {
		in := ordered
		if walked || len(waiting) >= window {
			in = nil
		}
		if walked && len(waiting) == 0 {
			return nil
		}
		var g *group
		select {
		case next, ok := <-in:
			if !ok {
				walked = true
				continue
			}
			if next.hashes > 0 && !early[next] {
				waiting[next] = true
				continue
			}
			delete(early, next)
			g = next
		case done := <-hashed:
			if !waiting[done] {
				early[done] = true
				continue
			}
			delete(waiting, done)
			g = done
		case <-tick.C:
			if err := r.flushIfDue(ctx); err != nil {
				return err
			}
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, it := range g.items {
			if err := r.item(ctx, it); err != nil {
				return err
			}
		}
	}
}

func (r *reporter) item(ctx context.Context, it *item) error {
	if errors.Is(it.hashErr, context.Canceled) || errors.Is(it.hashErr, context.DeadlineExceeded) {
		return it.hashErr
	}
	if err := r.handle(it); err != nil {
		return err
	}
	// One item adds at most three errors: flush while there is room.
	if len(r.changes) >= r.opts.MaxChanges || len(r.errs) > maxBatchErrors-3 || r.bytes >= maxBatchBytes {
		return r.flush(ctx, false)
	}
	return nil
}

func (r *reporter) flushIfDue(ctx context.Context) error {
	if time.Since(r.lastSend) < r.opts.Every {
		return nil
	}
	return r.flush(ctx, false)
}

// handle decides what one item means for the report and the state.
func (r *reporter) handle(it *item) error {
	path := ShownPath(it.path)
	if it.err != "" {
		r.addError(path, it.err)
	}
	if it.corrupt {
		r.addError(path, "its record in the local state was unreadable; recorded afresh")
		if !it.hasObject {
			r.addSilent(op{key: it.key})
		}
	}
	if it.stored != nil && !it.hasObject {
		r.change(Change{Path: path, Kind: Removed, Before: shown(it.stored.Object)}, op{key: it.key})
		return r.flushSilent()
	}
	if !it.hasObject {
		return nil
	}
	obj := it.st.obj
	unknown := false // content not read: sha256 not known
	if it.hash && it.hashErr != nil {
		if !contentOnlyUnknown(it) || !metadataMoved(it.stored, it.st) {
			// Vanished, or unreadable but still as recorded: the old
			// record stays, and the next scan tries again.
			r.addError(path, describe(it.hashErr))
			return nil
		}
		// Unreadable (permission denied, a stalled read) or rewritten on
		// every read, and no longer what was recorded, or new: a file made
		// unreadable to the agent must not hide its changes. Its metadata
		// is reported and recorded with no hash, so the next scan reads
		// it again and reports the sha256 it then has.
		var sc *stillChanging
		if errors.As(it.hashErr, &sc) {
			r.addError(path, describe(it.hashErr)+": sha256 unknown; reported with its new metadata, hashed again by the next scan")
		} else {
			r.addError(path, describe(it.hashErr)+": content not read; reported with its metadata, sha256 unknown")
		}
		unknown = true
	}
	obj.SHA256 = it.sum
	r.progress.Objects++
	if obj.Type == TypeFile {
		r.sum.Bytes += uint64(obj.Size)
	}
	rec := record{Object: obj, CTime: it.st.ctime}
	switch {
	case it.stored == nil:
		r.change(Change{Path: path, Kind: Added, After: shown(obj)}, op{key: it.key, val: encodeRecord(rec)})
	default:
		attrs := diff(*it.stored, rec, r.plan.watch)
		if unknown {
			attrs = slices.DeleteFunc(attrs, func(a string) bool { return a == AttrSHA256 })
		}
		if len(attrs) > 0 {
			r.change(Change{Path: path, Kind: Modified, Attrs: attrs, Before: shown(it.stored.Object), After: shown(obj)}, op{key: it.key, val: encodeRecord(rec)})
		} else if !sameRecord(*it.stored, rec) {
			r.addSilent(op{key: it.key, val: encodeRecord(rec)})
		}
	}
	return r.flushSilent()
}

// contentOnlyUnknown reports whether the file's hash failed but the scan
// knows what it is: a regular file it looked at (lstat, or the fstat of
// the open file), not one that vanished.
func contentOnlyUnknown(it *item) bool {
	return it.st.obj.Type == TypeFile && !errors.Is(it.hashErr, errVanished) && !errors.Is(it.hashErr, fs.ErrNotExist)
}

// metadataMoved reports whether the file's stat differs from its record
// (or it has none) in what a change of content moves or a person changes:
// type, size, mtime, inode, mode or owner.
func metadataMoved(was *record, now fileStat) bool {
	if was == nil {
		return true
	}
	o := now.obj
	return was.Type != o.Type || was.Size != o.Size || !was.MTime.Equal(o.MTime) || was.Inode != o.Inode ||
		was.Mode != o.Mode || was.UID != o.UID || was.GID != o.GID
}

// shown is o as a report carries it: a symlink target that is not UTF-8
// escaped like a name (the state keeps the raw bytes), and clipped to
// MaxPathLen.
func shown(o Object) *Object {
	o.Target = clip(ShownPath(o.Target))
	return &o
}

// clip cuts s to MaxPathLen bytes, at a character, ending in "…".
func clip(s string) string {
	if len(s) <= MaxPathLen {
		return s
	}
	const ellipsis = "…"
	cut := MaxPathLen - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

func (r *reporter) change(c Change, o op) {
	if r.changes == nil {
		// Sized once per batch: grown by append, a batch's changes are
		// copied about twice over, garbage the collector must chase.
		r.changes = make([]Change, 0, r.opts.MaxChanges)
		r.ops = make([]op, 0, r.opts.MaxChanges)
	}
	r.changes = append(r.changes, c)
	r.ops = append(r.ops, o)
	r.bytes += len(c.Path) + len(o.key) + len(o.val)
	if c.Before != nil {
		r.bytes += len(c.Before.Target)
	}
	if c.After != nil {
		r.bytes += len(c.After.Target)
	}
}

func (r *reporter) addSilent(o op) {
	r.silent = append(r.silent, o)
	r.silentB += len(o.key) + len(o.val)
}

func (r *reporter) addError(path, msg string) {
	r.errs = append(r.errs, ScanError{Path: clip(path), Error: msg})
	r.bytes += len(path) + len(msg)
	r.progress.Errors++
}

func (r *reporter) flushSilent() error {
	if len(r.silent) < silentChunk && r.silentB < maxBatchBytes {
		return nil
	}
	err := r.out.put(r.ctx, pending{ops: r.silent})
	r.silent, r.silentB = nil, 0
	return err
}

// flush hands the batch gathered so far to the sender, which sends it and
// applies its state writes once Send confirmed it. done marks the scan's
// last batch, which also records the scan as completed.
func (r *reporter) flush(ctx context.Context, done bool) error {
	r.seq++
	r.progress.Bytes = r.hasher.hashed.Load()
	b := Batch{
		Scan: r.sum.Scan, Seq: r.seq, Baseline: r.sum.Baseline, Started: r.sum.Started,
		Changes: r.changes, Errors: r.errs, Progress: r.progress, Done: done,
	}
	err := r.out.put(ctx, pending{batch: &b, ops: append(r.ops, r.silent...), done: done})
	// Fresh slices: the sender owns the ones it was handed.
	r.changes, r.errs, r.ops, r.silent = nil, nil, nil, nil
	r.bytes, r.silentB = 0, 0
	r.lastSend = time.Now()
	return err
}
