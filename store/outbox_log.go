package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

var (
	// bucketNotifyLog holds every delivery attempt keyed by incident id, 0,
	// sequence: an incident's log is one prefix, in the order written.
	bucketNotifyLog = []byte("notification_log")
	// bucketNotifyLogByTime is timeKey(At) | sequence → the log key, for
	// the newest attempts of all incidents and for pruning the oldest.
	bucketNotifyLogByTime = []byte("notification_log_by_time")
)

func init() { topBuckets = append(topBuckets, bucketNotifyLog, bucketNotifyLogByTime) }

// maxAttemptError bounds the provider's words kept per attempt, so a
// peer answering with megabytes cannot grow the log.
const maxAttemptError = 1024

// NotificationAttempt is one line of the notification log: a message
// sent, failed, retried, given up, suppressed or cancelled.
type NotificationAttempt struct {
	IncidentID  string    `json:"incident_id"`
	MonitorID   string    `json:"monitor_id"`
	ContactID   string    `json:"contact_id"`
	ContactName string    `json:"contact_name"`
	ContactType string    `json:"contact_type"`
	Event       string    `json:"event"`
	Step        int       `json:"step"`
	Attempt     int       `json:"attempt"`
	At          time.Time `json:"at"`
	// Result is sent, failed, retrying, gave_up, suppressed or cancelled.
	Result string `json:"result"`
	// Error is what the provider said (cut to 1 KiB); never a secret.
	Error string `json:"error,omitempty"`
	// NotifiedAfter is the time from the event to this attempt.
	NotifiedAfter time.Duration `json:"notified_after"`
}

// about returns a completed with what entry e knows: the log line of e
// always sits under e's incident. For a cancellation, a is a template
// shared by many entries, so e's own fields win; otherwise a's do and e
// fills those left empty.
func (a NotificationAttempt) about(e OutboxEntry, fromEntry bool) NotificationAttempt {
	a.IncidentID = e.IncidentID
	if fromEntry {
		a.MonitorID, a.ContactID, a.Event, a.Step, a.Attempt = e.MonitorID, e.ContactID, e.Event, e.Step, e.Attempts
		return a
	}
	if a.MonitorID == "" {
		a.MonitorID = e.MonitorID
	}
	if a.ContactID == "" {
		a.ContactID = e.ContactID
	}
	if a.Event == "" {
		a.Event = e.Event
	}
	if a.Step == 0 {
		a.Step = e.Step
	}
	return a
}

// appendLogTx adds a to the log, setting At to now when zero.
func appendLogTx(tx *bolt.Tx, a NotificationAttempt) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.At = a.At.UTC()
	a.Error = truncateUTF8(a.Error, maxAttemptError)
	b := tx.Bucket(bucketNotifyLog)
	n, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("notification log: %w", err)
	}
	key := targetKey(a.IncidentID, seqKey(n))
	if err := putJSON(b, key, a); err != nil {
		return fmt.Errorf("notification log: %w", err)
	}
	if err := tx.Bucket(bucketNotifyLogByTime).Put(append(timeKey(a.At), seqKey(n)...), key); err != nil {
		return fmt.Errorf("notification log index: %w", err)
	}
	return nil
}

// NotificationLog returns an incident's attempts, oldest first: all of
// them when limit <= 0, else the newest limit.
func (db *DB) NotificationLog(incidentID string, limit int) ([]NotificationAttempt, error) {
	out := []NotificationAttempt{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		p := targetKey(incidentID, nil)
		c := tx.Bucket(bucketNotifyLog).Cursor()
		take := func(k, v []byte) (bool, error) {
			if !bytes.HasPrefix(k, p) {
				return true, nil
			}
			if len(k) != len(p)+8 { // another incident whose id starts with this one and a 0
				return false, nil
			}
			var a NotificationAttempt
			if err := json.Unmarshal(v, &a); err != nil {
				return false, fmt.Errorf("decode attempt %s: %w", keyID(k[len(p):]), err)
			}
			out = append(out, a)
			return limit > 0 && len(out) >= limit, nil
		}
		if limit <= 0 {
			for k, v := c.Seek(p); k != nil; k, v = c.Next() {
				if stop, err := take(k, v); stop || err != nil {
					return err
				}
			}
			return nil
		}
		if err := walkBack(c, append(bytes.Clone(p), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), take); err != nil {
			return err
		}
		slices.Reverse(out)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: notification log of incident %s: %w", incidentID, err)
	}
	return out, nil
}

// RecentNotifications returns the newest attempts of all incidents,
// newest first: all of them when limit <= 0, else at most limit.
func (db *DB) RecentNotifications(limit int) ([]NotificationAttempt, error) {
	out := []NotificationAttempt{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketNotifyLog)
		return walkBack(tx.Bucket(bucketNotifyLogByTime).Cursor(), nil, func(k, v []byte) (bool, error) {
			var a NotificationAttempt
			if err := getJSON(log, v, &a); err != nil {
				return false, fmt.Errorf("attempt %x: %w", k, err)
			}
			out = append(out, a)
			return limit > 0 && len(out) >= limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: recent notifications: %w", err)
	}
	return out, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
