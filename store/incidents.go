package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketIncidents          = []byte("incidents")
	bucketIncidentsOpen      = []byte("incidents_open")
	bucketIncidentsByMonitor = []byte("incidents_by_monitor")
)

func init() {
	topBuckets = append(topBuckets, bucketIncidents, bucketIncidentsOpen, bucketIncidentsByMonitor)
}

// Incident statuses.
const (
	IncidentOpen     = "open"
	IncidentResolved = "resolved"
)

// Incident is a period in which a monitor was in problem.
type Incident struct {
	ID             string     `json:"id"`
	MonitorID      string     `json:"monitor_id"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
	Status         string     `json:"status"` // "open" or "resolved"
	Message        string     `json:"message"`
	AcknowledgedBy string     `json:"acknowledged_by"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AckNote        string     `json:"ack_note"`
}

// IncidentQuery selects incidents. Open and MonitorID are served from
// indexes, so neither walks the whole history.
type IncidentQuery struct {
	Open      bool   // only open incidents
	MonitorID string // only this monitor's; "" for all
	Limit     int    // at most this many; 0 means all
}

func validIncident(i *Incident) error {
	if i.Status != IncidentOpen && i.Status != IncidentResolved {
		return fmt.Errorf("incident status %q: must be open or resolved", i.Status)
	}
	if i.MonitorID == "" {
		return errors.New("incident without a monitor id")
	}
	return nil
}

// CreateIncident stores i and sets its ID. The state engine calls it; it
// is not audited.
func (db *DB) CreateIncident(i *Incident) error {
	if i == nil {
		return errors.New("store: create incident: nil incident")
	}
	if err := validIncident(i); err != nil {
		return fmt.Errorf("store: create incident: %w", err)
	}
	rec := *i
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		id, key, err := newID(tx.Bucket(bucketIncidents))
		if err != nil {
			return err
		}
		rec.ID = id
		return putIncidentTx(tx, key, nil, rec)
	})
	if err != nil {
		return fmt.Errorf("store: create incident: %w", err)
	}
	*i = rec
	return nil
}

// UpdateIncident replaces the stored incident i.ID with i (the engine
// resolving it, say). It returns ErrNotFound for an unknown id.
func (db *DB) UpdateIncident(i *Incident) error {
	if i == nil {
		return errors.New("store: update incident: nil incident")
	}
	if err := validIncident(i); err != nil {
		return fmt.Errorf("store: update incident %s: %w", i.ID, err)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(i.ID)
		if err != nil {
			return err
		}
		var old Incident
		if err := getJSON(tx.Bucket(bucketIncidents), key, &old); err != nil {
			return err
		}
		return putIncidentTx(tx, key, &old, *i)
	})
	if err != nil {
		return fmt.Errorf("store: update incident %s: %w", i.ID, err)
	}
	return nil
}

// ResolveIncident resolves incident id at endedAt in one transaction, so
// an acknowledgement made since the caller read the incident is kept. It
// returns the incident as stored and whether this call resolved it: an
// incident resolved already is returned unchanged with false. An unknown
// id is ErrNotFound. The state engine calls it; it is not audited.
func (db *DB) ResolveIncident(id string, endedAt time.Time) (Incident, bool, error) {
	var (
		i        Incident
		resolved bool
	)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		var old Incident
		if err := getJSON(tx.Bucket(bucketIncidents), key, &old); err != nil {
			return err
		}
		i = old
		if old.Status == IncidentResolved {
			return nil
		}
		endedAt = endedAt.UTC()
		i.Status, i.EndedAt, resolved = IncidentResolved, &endedAt, true
		return putIncidentTx(tx, key, &old, i)
	})
	if err != nil {
		return Incident{}, false, fmt.Errorf("store: resolve incident %s: %w", id, err)
	}
	return i, resolved, nil
}

// putIncidentTx writes an incident and keeps both indexes in step with
// its status and monitor; old is nil for a new incident.
func putIncidentTx(tx *bolt.Tx, key []byte, old *Incident, i Incident) error {
	if err := putJSON(tx.Bucket(bucketIncidents), key, i); err != nil {
		return err
	}
	open := tx.Bucket(bucketIncidentsOpen)
	var err error
	if i.Status == IncidentOpen {
		err = open.Put(key, nil)
	} else {
		err = open.Delete(key)
	}
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	byMonitor := tx.Bucket(bucketIncidentsByMonitor)
	if old != nil && old.MonitorID != i.MonitorID {
		if err := byMonitor.Delete(targetKey(old.MonitorID, key)); err != nil {
			return fmt.Errorf("monitor index: %w", err)
		}
	}
	if err := byMonitor.Put(targetKey(i.MonitorID, key), nil); err != nil {
		return fmt.Errorf("monitor index: %w", err)
	}
	return nil
}

// Incident returns the incident with the given id, or ErrNotFound.
func (db *DB) Incident(id string) (Incident, error) {
	var i Incident
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(bucketIncidents), key, &i)
	})
	if err != nil {
		return Incident{}, fmt.Errorf("store: incident %s: %w", id, err)
	}
	return i, nil
}

// Incidents returns incidents newest first (by creation, which is the
// order they started in). Open queries walk the open index, monitor
// queries the monitor's index; only a query with neither walks them all.
func (db *DB) Incidents(q IncidentQuery) ([]Incident, error) {
	out := []Incident{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIncidents)
		take := func(key []byte) (bool, error) {
			var i Incident
			if err := getJSON(b, key, &i); err != nil {
				return false, fmt.Errorf("incident %s: %w", keyID(key), err)
			}
			if (q.Open && i.Status != IncidentOpen) || (q.MonitorID != "" && i.MonitorID != q.MonitorID) {
				return false, nil
			}
			out = append(out, i)
			return q.Limit > 0 && len(out) >= q.Limit, nil
		}
		switch {
		case q.Open && q.MonitorID != "":
			// Open incidents are few: walk their index and decode only
			// those the monitor index names, not every open incident.
			byMonitor := tx.Bucket(bucketIncidentsByMonitor)
			return walkBack(tx.Bucket(bucketIncidentsOpen).Cursor(), nil, func(k, _ []byte) (bool, error) {
				if byMonitor.Get(targetKey(q.MonitorID, k)) == nil {
					return false, nil
				}
				return take(k)
			})
		case q.Open: // open incidents are few: the smaller index
			return walkBack(tx.Bucket(bucketIncidentsOpen).Cursor(), nil, func(k, _ []byte) (bool, error) { return take(k) })
		case q.MonitorID != "":
			return walkIndexBack(tx.Bucket(bucketIncidentsByMonitor), []byte(q.MonitorID), nil, take)
		default:
			return walkBack(b.Cursor(), nil, func(k, _ []byte) (bool, error) { return take(k) })
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return out, nil
}

// AckIncident records that by has seen incident id (open or already
// resolved) and audits "incident.ack". The first acknowledgement is kept:
// acknowledging again changes nothing and returns the incident as stored
// together with an error wrapping ErrConflict, so the caller can say who
// acknowledged it first. An unknown id is ErrNotFound.
func (db *DB) AckIncident(id, note string, by Actor, at time.Time) (Incident, error) {
	var i Incident
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		var old Incident
		if err := getJSON(tx.Bucket(bucketIncidents), key, &old); err != nil {
			return err
		}
		if old.AcknowledgedAt != nil {
			i = old
			return fmt.Errorf("acknowledged already by %s: %w", old.AcknowledgedBy, ErrConflict)
		}
		i = old
		at = at.UTC()
		i.AcknowledgedBy, i.AcknowledgedAt, i.AckNote = by.Username, &at, note
		if err := putIncidentTx(tx, key, &old, i); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "incident.ack", auditTarget("incident", id), old, i)
	})
	if err != nil {
		if !errors.Is(err, ErrConflict) {
			i = Incident{}
		}
		return i, fmt.Errorf("store: ack incident %s: %w", id, err)
	}
	return i, nil
}
