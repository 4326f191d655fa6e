package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketMonitors = []byte("monitors")

func init() { topBuckets = append(topBuckets, bucketMonitors) }

// Monitor is one configured check: what to probe, how often, from where,
// and who hears of its incidents.
type Monitor struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Target   string          `json:"target"`
	Interval time.Duration   `json:"interval"`
	Timeout  time.Duration   `json:"timeout"`
	Settings json.RawMessage `json:"settings,omitempty"`
	// Locations are "server" and/or agent ids.
	Locations []string `json:"locations"`
	DependsOn []string `json:"depends_on"`
	Notify    []string `json:"notify"`
	// Escalation is an escalation policy id ("" for none): who is paged
	// later while an incident stays unacknowledged.
	Escalation string `json:"escalation"`
	// RemindEvery repeats the opening message while an incident stays
	// open and unacknowledged; 0 sends no reminder.
	RemindEvery time.Duration `json:"remind_every"`
	Tags        []string      `json:"tags"`
	// Confirm is how many consecutive failed results make the monitor a
	// problem (default 2, set by the server).
	Confirm int `json:"confirm"`
	// MinFailedLocations is from how many locations it must fail (default 1).
	MinFailedLocations int       `json:"min_failed_locations"`
	Paused             bool      `json:"paused"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// CreateMonitor stores m, setting its ID, CreatedAt and UpdatedAt, and
// audits "monitor.create" in the same transaction.
func (db *DB) CreateMonitor(m *Monitor, by Actor) error {
	if m == nil {
		return errors.New("store: create monitor: nil monitor")
	}
	rec := *m
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMonitors)
		id, key, err := newID(b)
		if err != nil {
			return err
		}
		rec.ID = id
		rec.CreatedAt = time.Now().UTC()
		rec.UpdatedAt = rec.CreatedAt
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "monitor.create", auditTarget("monitor", id), nil, auditedMonitor(rec))
	})
	if err != nil {
		return fmt.Errorf("store: create monitor: %w", err)
	}
	*m = rec // only after the commit: a failed create leaves m as it was
	return nil
}

// Monitor returns the monitor with the given id, or ErrNotFound.
func (db *DB) Monitor(id string) (Monitor, error) {
	var m Monitor
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(bucketMonitors), key, &m)
	})
	if err != nil {
		return Monitor{}, fmt.Errorf("store: monitor %s: %w", id, err)
	}
	return m, nil
}

// Monitors returns every monitor, ordered by id (creation order).
func (db *DB) Monitors() ([]Monitor, error) {
	out := []Monitor{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMonitors).ForEach(func(k, v []byte) error {
			var m Monitor
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode monitor %s: %w", keyID(k), err)
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: monitors: %w", err)
	}
	return out, nil
}

// UpdateMonitor replaces the stored monitor m.ID with m, keeping its
// CreatedAt and setting UpdatedAt, and audits "monitor.update" with the
// monitor before and after. It returns ErrNotFound for an unknown id.
func (db *DB) UpdateMonitor(m *Monitor, by Actor) error {
	if m == nil {
		return errors.New("store: update monitor: nil monitor")
	}
	rec := *m
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(m.ID)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketMonitors)
		var old Monitor
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		rec.CreatedAt = old.CreatedAt
		rec.UpdatedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "monitor.update", auditTarget("monitor", rec.ID), auditedMonitor(old), auditedMonitor(rec))
	})
	if err != nil {
		return fmt.Errorf("store: update monitor %s: %w", m.ID, err)
	}
	*m = rec
	return nil
}

// DeleteMonitor removes a monitor, its state and its time series in one
// transaction and audits "monitor.delete". Its incidents stay as history.
// Other monitors that list it in DependsOn are left for the caller.
func (db *DB) DeleteMonitor(id string, by Actor) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketMonitors)
		var old Monitor
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMonitorStates).Delete(key); err != nil {
			return fmt.Errorf("delete state: %w", err)
		}
		if err := db.deleteSeriesTx(tx, id); err != nil {
			return fmt.Errorf("delete series: %w", err)
		}
		return appendAuditTx(tx, by, "monitor.delete", auditTarget("monitor", id), auditedMonitor(old), nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete monitor %s: %w", id, err)
	}
	return nil
}

// auditedMonitor is m as the audit log keeps it: sealed secret settings
// shown as "(set)", like contacts' (redactSealed).
func auditedMonitor(m Monitor) Monitor {
	m.Settings = redactSealed(m.Settings)
	return m
}
