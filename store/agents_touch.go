package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AgentTouch is one agent's latest heartbeat: when it was seen and from
// which address.
type AgentTouch struct {
	ID      string
	At      time.Time
	Address string
}

// TouchAgents records many heartbeats in one transaction, so a gateway
// serving a thousand agents flushes them all with one fsync rather than
// one per poll. A heartbeat never moves LastSeen back; one of an agent
// the store does not hold is skipped (it cannot make the others fail).
// Heartbeats are not audited.
func (db *DB) TouchAgents(touches []AgentTouch) error {
	if len(touches) == 0 {
		return nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAgents)
		for _, t := range touches {
			key, ok := idKey(t.ID)
			if !ok {
				continue
			}
			var a Agent
			if err := getJSON(b, key, &a); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return err
			}
			at := t.At.UTC()
			if !at.After(a.LastSeen) {
				continue
			}
			a.LastSeen, a.Address = at, t.Address
			if err := putJSON(b, key, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: touch %d agents: %w", len(touches), err)
	}
	return nil
}
