package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketAudit         = []byte("audit")
	bucketAuditByTarget = []byte("audit_by_target")
)

func init() { topBuckets = append(topBuckets, bucketAudit, bucketAuditByTarget) }

// Actor is who makes a change: a signed-in person, an API token's owner,
// or the server itself (Username "system", no UserID).
type Actor struct {
	UserID   string
	Username string
	IP       string
}

// System is the actor for changes the server makes on its own (the
// --admin-user flag, migrations, clean-ups).
var System = Actor{Username: "system"}

// AuditEntry is one change in the audit log. Target names the record as
// "kind:id", e.g. "monitor:17", "user:2", "token:5", "incident:9".
// Before is absent for a creation and After for a deletion; secrets such
// as password and token hashes are never in either.
type AuditEntry struct {
	ID      string          `json:"id"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	ActorID string          `json:"actor_id,omitempty"`
	IP      string          `json:"ip,omitempty"`
	Action  string          `json:"action"`
	Target  string          `json:"target"`
	Before  json.RawMessage `json:"before,omitempty"`
	After   json.RawMessage `json:"after,omitempty"`
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	Limit  int    // at most this many; 0 means all
	Target string // only entries about this target ("monitor:17"); "" for all
	Before string // only entries older than this entry id, for paging; "" for the newest
}

// auditTarget names a record in the audit log.
func auditTarget(kind, id string) string { return kind + ":" + id }

// appendAuditTx appends an entry to the audit log inside tx, so the entry
// commits or rolls back with the change it describes. before and after
// are encoded as JSON; pass nil for "none". Callers pass redacted views.
func appendAuditTx(tx *bolt.Tx, by Actor, action, target string, before, after any) error {
	e := AuditEntry{
		At: time.Now().UTC(), Actor: by.Username, ActorID: by.UserID, IP: by.IP,
		Action: action, Target: target,
	}
	var err error
	if e.Before, err = auditJSON(before); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if e.After, err = auditJSON(after); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	b := tx.Bucket(bucketAudit)
	id, key, err := newID(b)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	e.ID = id
	if err := putJSON(b, key, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if err := tx.Bucket(bucketAuditByTarget).Put(targetKey(target, key), nil); err != nil {
		return fmt.Errorf("audit %s: index: %w", action, err)
	}
	return nil
}

func auditJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// targetKey is the index key: the target, a 0 byte, the entry's 8-byte key.
func targetKey(target string, key []byte) []byte {
	k := make([]byte, 0, len(target)+1+len(key))
	k = append(k, target...)
	k = append(k, 0)
	return append(k, key...)
}

// RecordAudit appends an entry for a change made outside the store (a
// setting held elsewhere, a sign-in). Changes to store records are audited
// by the store itself in the same transaction.
func (db *DB) RecordAudit(by Actor, action, target string, before, after any) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return appendAuditTx(tx, by, action, target, before, after)
	})
	if err != nil {
		return fmt.Errorf("store: record audit: %w", err)
	}
	return nil
}

// Audit returns audit entries, newest first. With a Target it walks that
// target's index only.
func (db *DB) Audit(q AuditQuery) ([]AuditEntry, error) {
	var before []byte
	if q.Before != "" {
		k, err := mustIDKey(q.Before)
		if err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		before = k
	}
	out := []AuditEntry{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		take := func(key []byte) (bool, error) {
			var e AuditEntry
			if err := getJSON(b, key, &e); err != nil {
				return false, err
			}
			out = append(out, e)
			return q.Limit > 0 && len(out) >= q.Limit, nil
		}
		if q.Target == "" {
			return walkBack(b.Cursor(), before, func(k, _ []byte) (bool, error) { return take(k) })
		}
		return walkIndexBack(tx.Bucket(bucketAuditByTarget), []byte(q.Target), before, take)
	})
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return out, nil
}

// walkBack calls fn for each key below before (or all keys when before is
// nil), from the last down, until fn says stop.
func walkBack(c *bolt.Cursor, before []byte, fn func(k, v []byte) (stop bool, err error)) error {
	var k, v []byte
	switch {
	case before == nil:
		k, v = c.Last()
	default:
		// Seek lands on the first key >= before; the one before it is
		// the newest below. No key >= before: every key is below.
		if sk, _ := c.Seek(before); sk == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		stop, err := fn(k, v)
		if err != nil || stop {
			return err
		}
	}
	return nil
}

// walkIndexBack walks index keys "prefix 0x00 key8" from the newest down,
// calling fn with each 8-byte key below before (nil for all).
func walkIndexBack(idx *bolt.Bucket, prefix, before []byte, fn func(key []byte) (stop bool, err error)) error {
	p := append(append([]byte(nil), prefix...), 0)
	end := before
	if end == nil {
		end = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	return walkBack(idx.Cursor(), append(append([]byte(nil), p...), end...), func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, p) {
			return true, nil // left the target's range
		}
		if len(k) != len(p)+8 {
			// Another target that starts with this one and a 0 byte:
			// its keys share the range, so skip rather than stop.
			return false, nil
		}
		return fn(k[len(p):])
	})
}
