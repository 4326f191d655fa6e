package store

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/vigil-monitor/vigil/compliance/fim"
	bolt "go.etcd.io/bbolt"
)

// An agent that lost its local state (fim.db deleted, a new disk) takes a
// baseline again. Taking it would absorb every change made meanwhile, so
// when the server holds a completed baseline of the same revision the new
// one is compared with it instead, object by object as the reports come.
// The paths the baseline sent are kept in a bbolt bucket of the pair
// (fim_seen), not in memory: a baseline may hold a million objects. At
// its last report the mirror's objects it did not send are removals.

// openSeen opens the pair's seen bucket, emptied first when fresh.
func (a *fimApply) openSeen(fresh bool) error {
	if fresh {
		if err := a.dropSeen(); err != nil {
			return err
		}
	}
	b, err := a.tx.Bucket(bucketFIMSeen).CreateBucketIfNotExists(a.pair)
	if err != nil {
		return fmt.Errorf("seen paths: %w", err)
	}
	a.seen = b
	return nil
}

// dropSeen deletes the pair's seen bucket, if any.
func (a *fimApply) dropSeen() error {
	a.seen = nil
	top := a.tx.Bucket(bucketFIMSeen)
	if top.Bucket(a.pair) == nil {
		return nil
	}
	if err := top.DeleteBucket(a.pair); err != nil {
		return fmt.Errorf("drop seen paths: %w", err)
	}
	return nil
}

// compare meets one object of a compared baseline with the mirror: the
// same makes no record, a new one is added, a different one modified
// (in the watched attributes; a difference in others only moves the
// mirror).
func (a *fimApply) compare(mirror *bolt.Bucket, c *fim.Change) error {
	if c.After == nil {
		return fmt.Errorf("baseline object %q has no after", c.Path)
	}
	key := []byte(c.Path)
	// A value, not nil: bbolt's Get does not tell an empty value from
	// none.
	if err := a.seen.Put(key, []byte{1}); err != nil {
		return fmt.Errorf("note seen path: %w", err)
	}
	enc := encodeFIMObject(nil, c.After)
	if have := mirror.Get(key); have != nil && bytes.Equal(have, enc) {
		return nil
	}
	old, _, err := mirrorObject(mirror, key)
	if err != nil {
		return err
	}
	if err := mirror.Put(key, enc); err != nil {
		return err
	}
	a.count(old, -1)
	a.count(c.After, +1)
	if old == nil {
		return a.record(&fim.Change{Path: c.Path, Kind: fim.Added, After: c.After})
	}
	attrs := fimDiff(*old, *c.After, a.p.Attributes)
	if len(attrs) == 0 {
		return nil
	}
	return a.record(&fim.Change{Path: c.Path, Kind: fim.Modified, Attrs: attrs, Before: old, After: c.After})
}

// removeUnseen removes from the mirror, as removed changes, the objects a
// compared baseline did not send. The cursor seeks past each deletion
// rather than stepping, which bbolt does not promise after a Delete.
func (a *fimApply) removeUnseen(mirror *bolt.Bucket) error {
	if a.seen == nil {
		if err := a.openSeen(false); err != nil {
			return err
		}
	}
	c := mirror.Cursor()
	for k, v := c.First(); k != nil; {
		if a.seen.Get(k) != nil {
			k, v = c.Next()
			continue
		}
		key := cloneBytes(k)
		o, err := decodeFIMObject(v)
		if err != nil {
			return fmt.Errorf("mirror entry %q: %w", key, err)
		}
		if err := mirror.Delete(key); err != nil {
			return err
		}
		a.count(&o, -1)
		if err := a.record(&fim.Change{Path: string(key), Kind: fim.Removed, Before: &o}); err != nil {
			return err
		}
		k, v = c.Seek(key)
	}
	return nil
}

// fimDiff lists the attributes (of watch, empty meaning all; the type
// always) in which now differs from was, in fim.AllAttrs order. Like the
// agent, it ignores a directory's mtime: an entry's own change says why
// it moved.
func fimDiff(was, now fim.Object, watch []string) []string {
	watched := func(name string) bool {
		if len(watch) == 0 || name == fim.AttrType {
			return true
		}
		for _, w := range watch {
			if w == name {
				return true
			}
		}
		return false
	}
	bothDirs := was.Type == fim.TypeDir && now.Type == fim.TypeDir
	differs := map[string]bool{
		fim.AttrType: was.Type != now.Type, fim.AttrSHA256: was.SHA256 != now.SHA256, fim.AttrSize: was.Size != now.Size,
		fim.AttrMode: was.Mode != now.Mode, fim.AttrUID: was.UID != now.UID, fim.AttrGID: was.GID != now.GID,
		fim.AttrMTime: !bothDirs && !was.MTime.Equal(now.MTime), fim.AttrInode: was.Inode != now.Inode,
		fim.AttrTarget: was.Target != now.Target,
	}
	var out []string
	for _, name := range fim.AllAttrs {
		if differs[name] && watched(name) {
			out = append(out, name)
		}
	}
	return out
}

// fimCovers reports whether the policy scans path: it is one of its
// paths or below one, and no exclude glob matches it. An agent never
// reports anything else; a report that does is not trusted with it.
func fimCovers(p *FIMPolicy, path string) bool {
	under := false
	for _, root := range p.Paths {
		root = fim.ShownPath(root) // as the agent reports it (only a root with a lookalike escape differs)
		if path == root || strings.HasPrefix(path, strings.TrimRight(root, `/\`)+"/") ||
			(isWindowsPath(root) && strings.HasPrefix(path, strings.TrimRight(root, `/\`)+`\`)) {
			under = true
			break
		}
	}
	if !under {
		return false
	}
	for _, g := range p.Exclude {
		if fim.MatchPath(g, path) {
			return false
		}
	}
	return true
}

// isWindowsPath reports whether p starts with a drive letter.
func isWindowsPath(p string) bool {
	return len(p) >= 2 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':'
}
