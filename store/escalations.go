package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketEscalations       = []byte("escalation_policies")
	bucketEscalationsByName = []byte("escalation_policies_by_name")
)

func init() { topBuckets = append(topBuckets, bucketEscalations, bucketEscalationsByName) }

var escalationKind = namedKind{kind: "escalation_policy", noun: "escalation policy",
	bucket: bucketEscalations, byName: bucketEscalationsByName}

// EscalationPolicy says who is paged as an incident stays unacknowledged:
// each step's targets are told After the incident opened ("at 0 email
// and webhook, at 10 minutes SMS, at 20 a call"). An acknowledgement stops
// the steps not yet taken.
type EscalationPolicy struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Steps     []EscalationStep `json:"steps"` // ordered by After
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// EscalationStep is one step of a policy. Targets are contact or group
// ids.
type EscalationStep struct {
	After   time.Duration `json:"after"`
	Targets []string      `json:"targets"`
}

func (p *EscalationPolicy) identity() (string, string, time.Time) { return p.ID, p.Name, p.CreatedAt }
func (p *EscalationPolicy) stamp(id string, created, updated time.Time) {
	p.ID, p.CreatedAt, p.UpdatedAt = id, created, updated
}
func (p *EscalationPolicy) audited() any { return *p }

// normalize sorts the steps by delay (stably: steps at the same delay keep
// the order given) on a copy, so the caller's slice is not reordered.
func (p *EscalationPolicy) normalize() error {
	steps := make([]EscalationStep, len(p.Steps))
	for i, s := range p.Steps {
		if s.After < 0 {
			return fmt.Errorf("escalation step %d: negative delay %v", i+1, s.After)
		}
		if s.Targets == nil {
			s.Targets = []string{}
		}
		steps[i] = s
	}
	slices.SortStableFunc(steps, func(a, b EscalationStep) int { return cmp.Compare(a.After, b.After) })
	p.Steps = steps
	return nil
}

// CreateEscalationPolicy stores p (steps sorted by After), setting ID,
// CreatedAt and UpdatedAt, and audits "escalation_policy.create". A name
// another policy has is ErrConflict; a negative delay is refused.
func (db *DB) CreateEscalationPolicy(p *EscalationPolicy, by Actor) error {
	return createNamed(db, escalationKind, p, by)
}

// UpdateEscalationPolicy replaces policy p.ID with p and audits
// "escalation_policy.update". An unknown id is ErrNotFound, a taken name
// ErrConflict.
func (db *DB) UpdateEscalationPolicy(p *EscalationPolicy, by Actor) error {
	return updateNamed(db, escalationKind, p, by)
}

// DeleteEscalationPolicy removes a policy and, in the same transaction,
// clears it from the routes and monitors that use it (each audited). An
// unknown id is ErrNotFound.
func (db *DB) DeleteEscalationPolicy(id string, by Actor) error {
	return deleteNamed[EscalationPolicy](db, escalationKind, id, by, func(tx *bolt.Tx) error {
		return unlinkPolicyTx(tx, id, by)
	})
}

// EscalationPolicy returns the policy with the given id, or ErrNotFound.
func (db *DB) EscalationPolicy(id string) (EscalationPolicy, error) {
	return getNamed[EscalationPolicy](db, escalationKind, id)
}

// EscalationPolicies returns every policy, ordered by id.
func (db *DB) EscalationPolicies() ([]EscalationPolicy, error) {
	return listNamed[EscalationPolicy](db, escalationKind)
}
