package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CreateFIMPolicy stores p, setting its ID, Revision, CreatedAt and
// UpdatedAt, and audits "fim_policy.create" in the same transaction.
// Checking what people typed is the API's job.
func (db *DB) CreateFIMPolicy(p *FIMPolicy, by Actor) error {
	if p == nil {
		return errors.New("store: create file integrity policy: nil policy")
	}
	rec := *p
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFIMPolicies)
		id, key, err := newID(b)
		if err != nil {
			return err
		}
		rec.ID = id
		rec.Revision = FIMRevision(rec)
		rec.CreatedAt = time.Now().UTC()
		rec.UpdatedAt = rec.CreatedAt
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "fim_policy.create", auditTarget("fim_policy", id), nil, auditedFIMPolicy(rec))
	})
	if err != nil {
		return fmt.Errorf("store: create file integrity policy: %w", err)
	}
	*p = rec
	return nil
}

// UpdateFIMPolicy replaces the stored policy p.ID with p, keeping its
// CreatedAt, setting Revision and UpdatedAt, and audits
// "fim_policy.update" with the policy before and after. A new revision
// makes each agent's next scan a baseline, and raises ScanRequest so that
// scan starts at once. ErrNotFound for an unknown id.
func (db *DB) UpdateFIMPolicy(p *FIMPolicy, by Actor) error {
	if p == nil {
		return errors.New("store: update file integrity policy: nil policy")
	}
	rec := *p
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(p.ID)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketFIMPolicies)
		var old FIMPolicy
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		rec.CreatedAt, rec.ScanRequest = old.CreatedAt, old.ScanRequest
		rec.Revision = FIMRevision(rec)
		if rec.Revision != old.Revision {
			// The new baseline is taken now, not at each agent's next
			// interval: until then the policy would watch the old paths.
			rec.ScanRequest++
		}
		rec.UpdatedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "fim_policy.update", auditTarget("fim_policy", rec.ID), auditedFIMPolicy(old), auditedFIMPolicy(rec))
	})
	if err != nil {
		return fmt.Errorf("store: update file integrity policy %s: %w", p.ID, err)
	}
	*p = rec
	return nil
}

// RequestFIMScan raises the policy's ScanRequest, so each of its agents
// scans at its next assignment, and audits "fim_policy.scan".
func (db *DB) RequestFIMScan(id string, by Actor) (FIMPolicy, error) {
	var rec FIMPolicy
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketFIMPolicies)
		if err := getJSON(b, key, &rec); err != nil {
			return err
		}
		rec.ScanRequest++
		rec.ScanRequestedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "fim_policy.scan", auditTarget("fim_policy", id), nil,
			map[string]any{"name": rec.Name, "scan_request": rec.ScanRequest})
	})
	if err != nil {
		return FIMPolicy{}, fmt.Errorf("store: request scan of file integrity policy %s: %w", id, err)
	}
	return rec, nil
}

// DeleteFIMPolicy removes a policy with everything kept for it: each
// agent's mirror and state, and its change records, open or not. It
// audits "fim_policy.delete"; ErrNotFound for an unknown id.
func (db *DB) DeleteFIMPolicy(id string, by Actor) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketFIMPolicies)
		var old FIMPolicy
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		discarded, err := deleteFIMPolicyDataTx(tx, id)
		if err != nil {
			return err
		}
		return appendAuditTx(tx, by, "fim_policy.delete", auditTarget("fim_policy", id), auditedFIMPolicy(old), discarded)
	})
	if err != nil {
		return fmt.Errorf("store: delete file integrity policy %s: %w", id, err)
	}
	return nil
}

// fimDiscarded is what the audit log keeps of a policy's deletion
// besides the policy: the open changes nobody accepted, which go with it.
type fimDiscarded struct {
	OpenChangesDiscarded int            `json:"open_changes_discarded"`
	BySeverity           map[string]int `json:"open_changes_discarded_by_severity"`
}

// deleteFIMPolicyDataTx removes the states, mirrors, seen paths, change
// records and open index entries of policy id, and counts the open
// changes it discarded.
func deleteFIMPolicyDataTx(tx *bolt.Tx, id string) (fimDiscarded, error) {
	discarded := fimDiscarded{BySeverity: map[string]int{}}
	prefix := []byte(id + "\x00")
	states := tx.Bucket(bucketFIMStates)
	mirror := tx.Bucket(bucketFIMMirror)
	seen := tx.Bucket(bucketFIMSeen)
	var pairs [][]byte
	c := states.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		pairs = append(pairs, cloneBytes(k))
	}
	for _, top := range []*bolt.Bucket{mirror, seen} {
		mc := top.Cursor()
		for k, _ := mc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = mc.Next() {
			if !containsKey(pairs, k) {
				pairs = append(pairs, cloneBytes(k))
			}
		}
	}
	for _, k := range pairs {
		if err := states.Delete(k); err != nil {
			return discarded, fmt.Errorf("delete state: %w", err)
		}
		for _, top := range []*bolt.Bucket{mirror, seen} {
			if top.Bucket(k) != nil {
				if err := top.DeleteBucket(k); err != nil {
					return discarded, fmt.Errorf("delete mirror: %w", err)
				}
			}
		}
	}
	// The open changes, through the policy index: count, then unindex.
	type open struct {
		agent string
		key   []byte
	}
	var opens []open
	oc := tx.Bucket(bucketFIMOpenPolicy).Cursor()
	for k, v := oc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = oc.Next() {
		agent, sev := splitFIMOpenPolicyValue(v)
		discarded.OpenChangesDiscarded++
		discarded.BySeverity[sev]++
		opens = append(opens, open{agent: agent, key: cloneBytes(k[len(prefix):])})
	}
	for _, o := range opens {
		if err := unindexOpenFIMChange(tx, id, o.agent, o.key); err != nil {
			return discarded, fmt.Errorf("delete open index: %w", err)
		}
	}
	if err := deleteKeysTx(tx.Bucket(bucketFIMChanges), func(_, v []byte) bool {
		var ch struct {
			PolicyID string `json:"policy_id"`
		}
		return json.Unmarshal(v, &ch) == nil && ch.PolicyID == id
	}); err != nil {
		return discarded, fmt.Errorf("delete changes: %w", err)
	}
	return discarded, nil
}

// deleteKeysTx deletes every key of b that match says to.
func deleteKeysTx(b *bolt.Bucket, match func(k, v []byte) bool) error {
	var doomed [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if match(k, v) {
			doomed = append(doomed, cloneBytes(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, have := range keys {
		if bytes.Equal(have, k) {
			return true
		}
	}
	return false
}

// FIMPolicy returns the policy with the given id, or ErrNotFound.
func (db *DB) FIMPolicy(id string) (FIMPolicy, error) {
	var p FIMPolicy
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(bucketFIMPolicies), key, &p)
	})
	if err != nil {
		return FIMPolicy{}, fmt.Errorf("store: file integrity policy %s: %w", id, err)
	}
	return p, nil
}

// FIMPolicies returns every policy, ordered by id (creation order).
func (db *DB) FIMPolicies() ([]FIMPolicy, error) {
	out := []FIMPolicy{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFIMPolicies).ForEach(func(k, v []byte) error {
			var p FIMPolicy
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode policy %s: %w", keyID(k), err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: file integrity policies: %w", err)
	}
	return out, nil
}

// FIMAgentStates returns the policy's state on each agent that reported
// for it, ordered by agent id as bytes.
func (db *DB) FIMAgentStates(policyID string) ([]FIMAgentState, error) {
	out := []FIMAgentState{}
	prefix := []byte(policyID + "\x00")
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFIMStates).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var st FIMAgentState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("decode state %q: %w", k, err)
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: file integrity states of policy %s: %w", policyID, err)
	}
	return out, nil
}

// FIMAgentState returns where policyID stands on agentID; ok is false
// when the agent never reported for it.
func (db *DB) FIMAgentState(policyID, agentID string) (st FIMAgentState, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketFIMStates), fimPairKey(policyID, agentID), &st)
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return FIMAgentState{}, false, nil
	case err != nil:
		return FIMAgentState{}, false, fmt.Errorf("store: file integrity state of policy %s on agent %s: %w", policyID, agentID, err)
	}
	return st, true, nil
}
