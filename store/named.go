package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The alerting records (contacts, contact groups, escalation policies,
// notification routes, maintenance windows) are all named by people and
// edited whole, so they share one implementation: a bucket of JSON values
// keyed by id, a name index that keeps names unique without regard to
// case, and an audit entry per change in the same transaction.

// namedKind describes one kind of named record.
type namedKind struct {
	kind   string // audit target kind and action prefix: "contact" → "contact:7", "contact.update"
	noun   string // what error messages call it: "contact group"
	bucket []byte
	byName []byte
	// seq is the bucket whose sequence numbers ids: contacts and groups
	// share one, so an id in a list of targets names exactly one record.
	seq []byte
}

// namedRecord is what the shared code needs of a record: implemented by
// each record's pointer.
type namedRecord[T any] interface {
	*T
	// identity returns the record's id, name and creation time.
	identity() (id, name string, created time.Time)
	// stamp sets what the store manages: id and times.
	stamp(id string, created, updated time.Time)
	// audited is the record as the audit log shows it (no secrets).
	audited() any
	// normalize checks what the store relies on and puts the record in
	// its stored form (steps sorted, say). Checking people's input is the
	// API's job: this only keeps the store consistent.
	normalize() error
}

// validRecordName checks what the name index relies on.
func validRecordName(noun, name string) error {
	if name == "" || strings.TrimSpace(name) != name {
		return fmt.Errorf("%s name %q: must be non-empty without surrounding spaces", noun, name)
	}
	return nil
}

// createNamed stores a copy of v with a new id, both times set to now,
// and audits "<kind>.create". A name taken by another record of the kind
// is ErrConflict. v is updated only after the commit.
func createNamed[T any, P namedRecord[T]](db *DB, k namedKind, v P, by Actor) error {
	if v == nil {
		return fmt.Errorf("store: create %s: nil record", k.noun)
	}
	rec := *v
	p := P(&rec)
	_, name, _ := p.identity()
	if err := validRecordName(k.noun, name); err != nil {
		return fmt.Errorf("store: create %s: %w", k.noun, err)
	}
	if err := p.normalize(); err != nil {
		return fmt.Errorf("store: create %s: %w", k.noun, err)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		byName := tx.Bucket(k.byName)
		if byName.Get(nameKey(name)) != nil {
			return fmt.Errorf("%s name %q: %w", k.noun, name, ErrConflict)
		}
		id, key, err := newID(tx.Bucket(k.seqBucket()))
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		p.stamp(id, now, now)
		if err := putJSON(tx.Bucket(k.bucket), key, rec); err != nil {
			return err
		}
		if err := byName.Put(nameKey(name), key); err != nil {
			return err
		}
		return appendAuditTx(tx, by, k.kind+".create", auditTarget(k.kind, id), nil, p.audited())
	})
	if err != nil {
		return fmt.Errorf("store: create %s: %w", k.noun, err)
	}
	*v = rec // only after the commit: a failed create leaves v as it was
	return nil
}

// updateNamed replaces the stored record v's id with v, keeping its
// CreatedAt and setting UpdatedAt, and audits "<kind>.update" with the
// record before and after. An unknown id is ErrNotFound, a name another
// record has ErrConflict.
func updateNamed[T any, P namedRecord[T]](db *DB, k namedKind, v P, by Actor) error {
	if v == nil {
		return fmt.Errorf("store: update %s: nil record", k.noun)
	}
	rec := *v
	p := P(&rec)
	id, name, _ := p.identity()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		var old T
		if err := getJSON(tx.Bucket(k.bucket), key, &old); err != nil {
			return err
		}
		if err := validRecordName(k.noun, name); err != nil {
			return err
		}
		if err := p.normalize(); err != nil {
			return err
		}
		_, oldName, created := P(&old).identity()
		if err := renameTx(tx.Bucket(k.byName), key, k.noun, oldName, name); err != nil {
			return err
		}
		p.stamp(id, created, time.Now().UTC())
		return putNamedTx(tx, k, key, P(&old), p, by)
	})
	if err != nil {
		return fmt.Errorf("store: update %s %s: %w", k.noun, id, err)
	}
	*v = rec
	return nil
}

// putNamedTx writes rec over old (same key and name) and audits the
// update; deletions of references use it too.
func putNamedTx[T any, P namedRecord[T]](tx *bolt.Tx, k namedKind, key []byte, old, rec P, by Actor) error {
	if err := putJSON(tx.Bucket(k.bucket), key, rec); err != nil {
		return err
	}
	id, _, _ := rec.identity()
	return appendAuditTx(tx, by, k.kind+".update", auditTarget(k.kind, id), old.audited(), rec.audited())
}

// renameTx moves a name index entry when the name changes; a change of
// case only keeps the same index key.
func renameTx(byName *bolt.Bucket, key []byte, noun, oldName, newName string) error {
	if owner := byName.Get(nameKey(newName)); owner != nil && !bytes.Equal(owner, key) {
		return fmt.Errorf("%s name %q: %w", noun, newName, ErrConflict)
	}
	if err := byName.Delete(nameKey(oldName)); err != nil {
		return err
	}
	return byName.Put(nameKey(newName), key)
}

// deleteNamed removes record id and its name, runs unlink in the same
// transaction (to remove references to it from other records), and
// audits "<kind>.delete". An unknown id is ErrNotFound.
func deleteNamed[T any, P namedRecord[T]](db *DB, k namedKind, id string, by Actor, unlink func(tx *bolt.Tx) error) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(k.bucket)
		var old T
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		_, name, _ := P(&old).identity()
		if err := b.Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(k.byName).Delete(nameKey(name)); err != nil {
			return err
		}
		if unlink != nil {
			if err := unlink(tx); err != nil {
				return err
			}
		}
		return appendAuditTx(tx, by, k.kind+".delete", auditTarget(k.kind, id), P(&old).audited(), nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete %s %s: %w", k.noun, id, err)
	}
	return nil
}

// getNamed returns record id, or ErrNotFound.
func getNamed[T any](db *DB, k namedKind, id string) (T, error) {
	var v T
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(k.bucket), key, &v)
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("store: %s %s: %w", k.noun, id, err)
	}
	return v, nil
}

// listNamed returns every record of the kind, ordered by id (creation).
func listNamed[T any](db *DB, k namedKind) ([]T, error) {
	out := []T{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(k.bucket).ForEach(func(key, v []byte) error {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode %s %s: %w", k.noun, keyID(key), err)
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: %ss: %w", k.noun, err)
	}
	return out, nil
}

// rewriteEachTx calls edit with every record of the kind and stores (and
// audits as an update by by) those it changed. Deleting a contact uses it
// to take the contact out of groups, policies and routes. Records are few
// (hundreds), so walking them all is cheap.
func rewriteEachTx[T any, P namedRecord[T]](tx *bolt.Tx, k namedKind, by Actor, edit func(P) bool) error {
	b := tx.Bucket(k.bucket)
	type change struct {
		key      []byte
		old, rec T
	}
	var changes []change
	err := b.ForEach(func(key, v []byte) error {
		var c change
		if err := json.Unmarshal(v, &c.old); err != nil {
			return fmt.Errorf("decode %s %s: %w", k.noun, keyID(key), err)
		}
		if err := json.Unmarshal(v, &c.rec); err != nil { // a deep copy to edit
			return err
		}
		if edit(&c.rec) {
			c.key = cloneBytes(key)
			changes = append(changes, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Written after the walk: putting values under a live cursor is not
	// safe in bbolt.
	now := time.Now().UTC()
	for _, c := range changes {
		id, _, created := P(&c.rec).identity()
		P(&c.rec).stamp(id, created, now)
		if err := putNamedTx(tx, k, c.key, P(&c.old), P(&c.rec), by); err != nil {
			return err
		}
	}
	return nil
}

func (k namedKind) seqBucket() []byte {
	if k.seq != nil {
		return k.seq
	}
	return k.bucket
}

// removeID returns list without id and whether it was there.
func removeID(list []string, id string) ([]string, bool) {
	out := list[:0:0]
	for _, v := range list {
		if v != id {
			out = append(out, v)
		}
	}
	if len(out) == len(list) {
		return list, false
	}
	return out, true
}
