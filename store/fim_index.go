package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Open changes are indexed twice: by agent (fim_open: agent, policy,
// change key → severity), which the FIM monitor counts, and by policy
// (fim_open_policy: policy, change key → agent, severity), which lists
// and accepts one policy's changes in change order without walking every
// agent's.

// indexOpenFIMChange adds the open change c, stored under key, to both
// indexes.
func indexOpenFIMChange(tx *bolt.Tx, c *FIMChange, key []byte) error {
	if err := tx.Bucket(bucketFIMOpen).Put(fimOpenKey(c.AgentID, c.PolicyID, key), []byte(c.Severity)); err != nil {
		return fmt.Errorf("index open change: %w", err)
	}
	v := make([]byte, 0, len(c.AgentID)+1+len(c.Severity))
	v = append(append(append(v, c.AgentID...), 0), c.Severity...)
	if err := tx.Bucket(bucketFIMOpenPolicy).Put(fimOpenPolicyKey(c.PolicyID, key), v); err != nil {
		return fmt.Errorf("index open change by policy: %w", err)
	}
	return nil
}

// unindexOpenFIMChange takes the change under key out of both indexes.
func unindexOpenFIMChange(tx *bolt.Tx, policyID, agentID string, key []byte) error {
	if err := tx.Bucket(bucketFIMOpen).Delete(fimOpenKey(agentID, policyID, key)); err != nil {
		return err
	}
	return tx.Bucket(bucketFIMOpenPolicy).Delete(fimOpenPolicyKey(policyID, key))
}

// splitFIMOpenPolicyValue returns the agent and severity of a policy
// index value.
func splitFIMOpenPolicyValue(v []byte) (agentID, severity string) {
	i := bytes.IndexByte(v, 0)
	if i < 0 {
		return "", string(v)
	}
	return string(v[:i]), string(v[i+1:])
}

// fimOpenCursor walks the open changes of one range newest first: the
// range's keys end in a change key, ordered like the changes.
type fimOpenCursor struct {
	c      *bolt.Cursor
	prefix []byte
	k      []byte
}

// newFIMOpenCursor positions a cursor on the newest change of the range
// prefix below before (nil: all).
func newFIMOpenCursor(b *bolt.Bucket, prefix []byte, before []byte) *fimOpenCursor {
	oc := &fimOpenCursor{c: b.Cursor(), prefix: prefix}
	// Seek to the first key past the wanted ones, then step back.
	past := append(cloneBytes(prefix[:len(prefix)-1]), 1) // prefix ends in 0: past its range
	if before != nil {
		past = append(cloneBytes(prefix), before...)
	}
	k, _ := oc.c.Seek(past)
	if k == nil {
		k, _ = oc.c.Last()
	} else {
		k, _ = oc.c.Prev()
	}
	oc.set(k)
	return oc
}

// set makes k current, or the end when it is out of the range.
func (oc *fimOpenCursor) set(k []byte) {
	if k != nil && (!bytes.HasPrefix(k, oc.prefix) || len(k) != len(oc.prefix)+8) {
		k = nil
	}
	oc.k = k
}

// changeKey is the current entry's change key, nil at the end.
func (oc *fimOpenCursor) changeKey() []byte {
	if oc.k == nil {
		return nil
	}
	return oc.k[len(oc.k)-8:]
}

func (oc *fimOpenCursor) prev() {
	k, _ := oc.c.Prev()
	oc.set(k)
}

// walkOpenFIMChanges calls fn with the key of each open change of
// policyID ("" all) on agentID ("" all), newest first, below before (nil:
// all), until fn says stop. Each policy's range is walked with its own
// cursor and the cursors merged, so memory is one cursor per policy, not
// one key per open change.
func walkOpenFIMChanges(tx *bolt.Tx, agentID, policyID string, before []byte, fn func(changeKey []byte) (stop bool, err error)) error {
	var policies []string
	if policyID != "" {
		policies = []string{policyID}
	} else if err := tx.Bucket(bucketFIMPolicies).ForEach(func(k, _ []byte) error {
		policies = append(policies, keyID(k))
		return nil
	}); err != nil {
		return err
	}
	var cursors []*fimOpenCursor
	for _, p := range policies {
		if agentID != "" {
			// The agent index holds exactly this pair's range.
			cursors = append(cursors, newFIMOpenCursor(tx.Bucket(bucketFIMOpen), []byte(agentID+"\x00"+p+"\x00"), before))
		} else {
			cursors = append(cursors, newFIMOpenCursor(tx.Bucket(bucketFIMOpenPolicy), []byte(p+"\x00"), before))
		}
	}
	for {
		var best *fimOpenCursor
		for _, oc := range cursors {
			if k := oc.changeKey(); k != nil && (best == nil || bytes.Compare(k, best.changeKey()) > 0) {
				best = oc
			}
		}
		if best == nil {
			return nil
		}
		key := cloneBytes(best.changeKey())
		best.prev()
		if stop, err := fn(key); err != nil || stop {
			return err
		}
	}
}
