package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Deleting a contact, group or escalation policy takes it out of every
// record that names it, in the same transaction, so no list ever points
// at something gone and the audit log shows each record that changed.

// unlinkTargetTx removes contact or group id from group members,
// escalation steps, routes and monitors.
func unlinkTargetTx(tx *bolt.Tx, id string, by Actor) error {
	err := rewriteEachTx(tx, groupKind, by, func(g *ContactGroup) bool {
		var changed bool
		g.Members, changed = removeID(g.Members, id)
		return changed
	})
	if err != nil {
		return fmt.Errorf("unlink from groups: %w", err)
	}
	err = rewriteEachTx(tx, escalationKind, by, func(p *EscalationPolicy) bool {
		changed := false
		for i := range p.Steps {
			var c bool
			// A step left without targets stays: its place in the
			// policy is the person's to change.
			p.Steps[i].Targets, c = removeID(p.Steps[i].Targets, id)
			changed = changed || c
		}
		return changed
	})
	if err != nil {
		return fmt.Errorf("unlink from escalation policies: %w", err)
	}
	err = rewriteEachTx(tx, routeKind, by, func(r *NotifyRoute) bool {
		var changed bool
		r.Notify, changed = removeID(r.Notify, id)
		return changed
	})
	if err != nil {
		return fmt.Errorf("unlink from routes: %w", err)
	}
	return rewriteMonitorsTx(tx, by, func(m *Monitor) bool {
		var changed bool
		m.Notify, changed = removeID(m.Notify, id)
		return changed
	})
}

// unlinkPolicyTx clears escalation policy id from routes and monitors.
func unlinkPolicyTx(tx *bolt.Tx, id string, by Actor) error {
	err := rewriteEachTx(tx, routeKind, by, func(r *NotifyRoute) bool {
		if r.Escalation != id {
			return false
		}
		r.Escalation = ""
		return true
	})
	if err != nil {
		return fmt.Errorf("unlink from routes: %w", err)
	}
	return rewriteMonitorsTx(tx, by, func(m *Monitor) bool {
		if m.Escalation != id {
			return false
		}
		m.Escalation = ""
		return true
	})
}

// rewriteMonitorsTx calls edit with every monitor and stores (and audits
// as "monitor.update") those it changed.
func rewriteMonitorsTx(tx *bolt.Tx, by Actor, edit func(*Monitor) bool) error {
	b := tx.Bucket(bucketMonitors)
	type change struct {
		key      []byte
		old, rec Monitor
	}
	var changes []change
	err := b.ForEach(func(k, v []byte) error {
		var c change
		if err := json.Unmarshal(v, &c.old); err != nil {
			return fmt.Errorf("decode monitor %s: %w", keyID(k), err)
		}
		c.rec = c.old
		c.rec.Notify = slices.Clone(c.old.Notify)
		if edit(&c.rec) {
			c.key = cloneBytes(k)
			changes = append(changes, c)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unlink from monitors: %w", err)
	}
	now := time.Now().UTC()
	for _, c := range changes {
		c.rec.UpdatedAt = now
		if err := putJSON(b, c.key, c.rec); err != nil {
			return err
		}
		if err := appendAuditTx(tx, by, "monitor.update", auditTarget("monitor", c.rec.ID), auditedMonitor(c.old), auditedMonitor(c.rec)); err != nil {
			return err
		}
	}
	return nil
}
