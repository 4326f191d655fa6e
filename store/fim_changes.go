package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/vigil-monitor/vigil/internal/shown"
)

// FIMChange returns the change record with the given id, or ErrNotFound.
func (db *DB) FIMChange(id string) (FIMChange, error) {
	var c FIMChange
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(bucketFIMChanges), key, &c)
	})
	if err != nil {
		return FIMChange{}, fmt.Errorf("store: file integrity change %s: %w", id, err)
	}
	return c, nil
}

// FIMChanges returns the change records q selects, newest first. Open
// changes are found through their index, so asking for them costs what
// is open, not the whole history.
func (db *DB) FIMChanges(q FIMChangeQuery) ([]FIMChange, error) {
	var before []byte
	if q.Before != "" {
		k, err := mustIDKey(q.Before)
		if err != nil {
			return nil, fmt.Errorf("store: file integrity changes: cursor: %w", err)
		}
		before = k
	}
	out := []FIMChange{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFIMChanges)
		take := func(v []byte) (bool, error) {
			var c FIMChange
			if err := json.Unmarshal(v, &c); err != nil {
				return false, fmt.Errorf("decode change: %w", err)
			}
			if q.matches(c) {
				out = append(out, c)
			}
			return q.Limit > 0 && len(out) >= q.Limit, nil
		}
		if q.Open != nil && *q.Open {
			return walkOpenFIMChanges(tx, q.AgentID, q.PolicyID, before, func(k []byte) (bool, error) {
				if v := b.Get(k); v != nil {
					return take(v)
				}
				return false, nil
			})
		}
		return walkBack(b.Cursor(), before, func(_, v []byte) (bool, error) { return take(v) })
	})
	if err != nil {
		return nil, fmt.Errorf("store: file integrity changes: %w", err)
	}
	return out, nil
}

// matches reports whether c passes every filter of q but the cursor.
func (q FIMChangeQuery) matches(c FIMChange) bool {
	switch {
	case q.PolicyID != "" && c.PolicyID != q.PolicyID,
		q.AgentID != "" && c.AgentID != q.AgentID,
		q.Severity != "" && c.Severity != q.Severity,
		q.Change != "" && c.Change != q.Change,
		q.PathContains != "" && !strings.Contains(c.Path, q.PathContains) &&
			!strings.Contains(shown.Name(c.Path), q.PathContains), // as the UI shows it: "new\nline"
		q.Open != nil && *q.Open != c.Open():
		return false
	}
	return true
}

// FIMOpenCounts counts agentID's open changes by severity, over every
// policy.
func (db *DB) FIMOpenCounts(agentID string) (map[string]int, error) {
	byPolicy, err := db.FIMOpenByPolicy(agentID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, counts := range byPolicy {
		for sev, n := range counts {
			out[sev] += n
		}
	}
	return out, nil
}

// FIMOpenByPolicy counts agentID's open changes by policy id, then by
// severity.
func (db *DB) FIMOpenByPolicy(agentID string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	prefix := []byte(agentID + "\x00")
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFIMOpen).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			_, policy, _, ok := splitFIMOpenKey(k)
			if !ok {
				continue
			}
			if out[policy] == nil {
				out[policy] = map[string]int{}
			}
			out[policy][string(v)]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open file integrity changes of agent %s: %w", agentID, err)
	}
	return out, nil
}
