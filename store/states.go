package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	bolt "go.etcd.io/bbolt"
)

var bucketMonitorStates = []byte("monitor_states")

func init() { topBuckets = append(topBuckets, bucketMonitorStates) }

// MonitorState is the state engine's view of one monitor, kept so a
// restart resumes counting where it stopped.
type MonitorState struct {
	MonitorID string        `json:"monitor_id"`
	Status    checks.Status `json:"status"`
	Since     time.Time     `json:"since"`
	// Locations is the state per location ("server" or an agent id).
	Locations map[string]LocationState `json:"locations"`
	// IncidentID is the open incident, "" when none.
	IncidentID string `json:"incident_id,omitempty"`
}

// LocationState is a monitor's state at one location.
type LocationState struct {
	Status checks.Status `json:"status"`
	Fails  int           `json:"fails"` // consecutive failed results
	Since  time.Time     `json:"since"`
	Last   checks.Result `json:"last"`
}

// PutMonitorStates stores states in one transaction. This is the engine's
// own bookkeeping, not a person's change, so it is not audited. A state
// whose monitor has been deleted meanwhile is dropped, so a deletion
// racing the engine leaves no orphan.
func (db *DB) PutMonitorStates(states []MonitorState) error {
	if len(states) == 0 {
		return nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMonitorStates)
		monitors := tx.Bucket(bucketMonitors)
		for _, s := range states {
			key, err := mustIDKey(s.MonitorID)
			if err != nil {
				return err
			}
			if monitors.Get(key) == nil {
				continue
			}
			if err := putJSON(b, key, s); err != nil {
				return fmt.Errorf("monitor %s: %w", s.MonitorID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put monitor states: %w", err)
	}
	return nil
}

// MonitorStates returns every stored state by monitor id.
func (db *DB) MonitorStates() (map[string]MonitorState, error) {
	out := map[string]MonitorState{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMonitorStates).ForEach(func(k, v []byte) error {
			var s MonitorState
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("decode state %s: %w", keyID(k), err)
			}
			out[keyID(k)] = s
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: monitor states: %w", err)
	}
	return out, nil
}
