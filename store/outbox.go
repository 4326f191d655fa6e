package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketOutbox = []byte("outbox") // id → OutboxEntry
	// bucketOutboxDue orders the entries by when they may be sent:
	// timeKey(NotBefore) | id → nothing. The sender reads its front only,
	// however many entries wait behind it.
	bucketOutboxDue = []byte("outbox_due")
	// bucketOutboxByIncident is incident id, 0, id → nothing.
	bucketOutboxByIncident = []byte("outbox_by_incident")
)

func init() {
	topBuckets = append(topBuckets, bucketOutbox, bucketOutboxDue, bucketOutboxByIncident)
}

// OutboxEntry is a notification waiting to be sent. The outbox is kept
// in the store so a restart loses none.
type OutboxEntry struct {
	// ID orders entries: among those due at the same time, the older is
	// sent first.
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"` // "" for a test message
	MonitorID  string `json:"monitor_id"`
	ContactID  string `json:"contact_id"`
	// Event is incident.opened, incident.acknowledged, incident.resolved,
	// incident.reminder or test.
	Event string `json:"event"`
	// Step is the escalation step, 0 for messages sent at once.
	Step int `json:"step"`
	// NotBefore is when it may be sent: later for escalation steps,
	// reminders and retries.
	NotBefore time.Time `json:"not_before"`
	Attempts  int       `json:"attempts"`
	// Payload is what the message says (a notify.Event as JSON), frozen
	// when it was queued.
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// EnqueueNotifications stores entries in one transaction, setting each
// one's ID and CreatedAt (and NotBefore, when zero, to now). The entries
// are updated only after the commit.
func (db *DB) EnqueueNotifications(entries []*OutboxEntry) error {
	if len(entries) == 0 {
		return nil
	}
	recs := make([]OutboxEntry, len(entries))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		now := time.Now().UTC()
		for i, e := range entries {
			if e == nil {
				return fmt.Errorf("entry %d is nil", i)
			}
			rec := *e
			id, key, err := newID(b)
			if err != nil {
				return err
			}
			rec.ID, rec.CreatedAt = id, now
			if rec.NotBefore.IsZero() {
				rec.NotBefore = now
			}
			rec.NotBefore = rec.NotBefore.UTC()
			if err := putEntryTx(tx, key, rec); err != nil {
				return err
			}
			recs[i] = rec
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: enqueue notifications: %w", err)
	}
	for i, e := range entries {
		*e = recs[i]
	}
	return nil
}

// DueNotifications returns up to limit entries (all when limit <= 0) with
// NotBefore at or before now, the earliest first. It reads the due index
// from its front and stops at the first entry not yet due, so entries
// waiting for later cost nothing.
func (db *DB) DueNotifications(now time.Time, limit int) ([]OutboxEntry, error) {
	out := []OutboxEntry{}
	end := timeKey(now)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxDue).Cursor()
		for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
			if len(k) != 16 || bytes.Compare(k[:8], end) > 0 {
				break
			}
			var e OutboxEntry
			if err := getJSON(b, k[8:], &e); err != nil {
				return fmt.Errorf("entry %s: %w", keyID(k[8:]), err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: due notifications: %w", err)
	}
	return out, nil
}

// NextNotificationAt returns the earliest NotBefore in the outbox, and
// false when the outbox is empty: the sender sleeps until then.
func (db *DB) NextNotificationAt() (time.Time, bool, error) {
	var (
		at time.Time
		ok bool
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketOutboxDue).Cursor().First()
		if len(k) == 16 {
			at, ok = keyTime(k[:8]), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next notification: %w", err)
	}
	return at, ok, nil
}

// PendingNotifications returns the entries queued for an incident, in id
// order, due or not.
func (db *DB) PendingNotifications(incidentID string) ([]OutboxEntry, error) {
	out := []OutboxEntry{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		return forIncidentEntries(tx, incidentID, func(key []byte) error {
			var e OutboxEntry
			if err := getJSON(b, key, &e); err != nil {
				return fmt.Errorf("entry %s: %w", keyID(key), err)
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending notifications of incident %s: %w", incidentID, err)
	}
	return out, nil
}

// forIncidentEntries calls fn with the key of each entry of an incident.
// The keys are collected first, so fn may delete them.
func forIncidentEntries(tx *bolt.Tx, incidentID string, fn func(key []byte) error) error {
	p := targetKey(incidentID, nil)
	var keys [][]byte
	c := tx.Bucket(bucketOutboxByIncident).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		if len(k) == len(p)+8 { // not another incident whose id starts with this one and a 0
			keys = append(keys, cloneBytes(k[len(p):]))
		}
	}
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// putEntryTx writes an entry and its two index keys.
func putEntryTx(tx *bolt.Tx, key []byte, e OutboxEntry) error {
	if err := putJSON(tx.Bucket(bucketOutbox), key, e); err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutboxDue).Put(dueKey(e.NotBefore, key), nil); err != nil {
		return fmt.Errorf("due index: %w", err)
	}
	if err := tx.Bucket(bucketOutboxByIncident).Put(targetKey(e.IncidentID, key), nil); err != nil {
		return fmt.Errorf("incident index: %w", err)
	}
	return nil
}

// takeEntryTx deletes entry id and its index keys and returns it.
func takeEntryTx(tx *bolt.Tx, id string) (OutboxEntry, error) {
	var e OutboxEntry
	key, err := mustIDKey(id)
	if err != nil {
		return e, err
	}
	b := tx.Bucket(bucketOutbox)
	if err := getJSON(b, key, &e); err != nil {
		return e, err
	}
	if err := b.Delete(key); err != nil {
		return e, err
	}
	if err := tx.Bucket(bucketOutboxDue).Delete(dueKey(e.NotBefore, key)); err != nil {
		return e, fmt.Errorf("due index: %w", err)
	}
	if err := tx.Bucket(bucketOutboxByIncident).Delete(targetKey(e.IncidentID, key)); err != nil {
		return e, fmt.Errorf("incident index: %w", err)
	}
	return e, nil
}

// CompleteNotification records that entry id was sent: it deletes the
// entry and appends a to the notification log, in one transaction. An
// unknown id is ErrNotFound and logs nothing.
func (db *DB) CompleteNotification(id string, a NotificationAttempt) error {
	return db.finishEntry("complete", id, a)
}

// DropNotification gives entry id up (it failed for good, or it is
// suppressed): it deletes the entry and logs a, in one transaction. An
// unknown id is ErrNotFound and logs nothing.
func (db *DB) DropNotification(id string, a NotificationAttempt) error {
	return db.finishEntry("drop", id, a)
}

func (db *DB) finishEntry(verb, id string, a NotificationAttempt) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		e, err := takeEntryTx(tx, id)
		if err != nil {
			return err
		}
		return appendLogTx(tx, a.about(e, false))
	})
	if err != nil {
		return fmt.Errorf("store: %s notification %s: %w", verb, id, err)
	}
	return nil
}

// RetryNotification records a failed attempt at entry id that may be
// tried again: Attempts goes up, NotBefore moves to next, and a is
// logged, in one transaction. An unknown id is ErrNotFound.
func (db *DB) RetryNotification(id string, next time.Time, a NotificationAttempt) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		e, err := takeEntryTx(tx, id)
		if err != nil {
			return err
		}
		key, _ := idKey(e.ID)
		e.Attempts++
		e.NotBefore = next.UTC()
		if err := putEntryTx(tx, key, e); err != nil {
			return err
		}
		return appendLogTx(tx, a.about(e, false))
	})
	if err != nil {
		return fmt.Errorf("store: retry notification %s: %w", id, err)
	}
	return nil
}

// CancelNotifications deletes the entries queued for an incident that
// pred accepts (every one when pred is nil) and logs a for each, with the
// entry's incident, monitor, contact, event, step and attempts, in one
// transaction: an acknowledgement cancels the escalation steps not yet
// sent. pred runs inside the transaction and must not use the store. It
// returns how many entries it deleted.
func (db *DB) CancelNotifications(incidentID string, pred func(OutboxEntry) bool, a NotificationAttempt) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		return forIncidentEntries(tx, incidentID, func(key []byte) error {
			var e OutboxEntry
			if err := getJSON(b, key, &e); err != nil {
				return fmt.Errorf("entry %s: %w", keyID(key), err)
			}
			if pred != nil && !pred(e) {
				return nil
			}
			if _, err := takeEntryTx(tx, e.ID); err != nil {
				return err
			}
			n++
			return appendLogTx(tx, a.about(e, true))
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: cancel notifications of incident %s: %w", incidentID, err)
	}
	return n, nil
}

// dueKey is the due index key of entry key at t.
func dueKey(t time.Time, key []byte) []byte { return append(timeKey(t), key...) }
