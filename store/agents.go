package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketAgents       = []byte("agents")
	bucketAgentsByName = []byte("agents_by_name")
)

func init() { topBuckets = append(topBuckets, bucketAgents, bucketAgentsByName) }

// ErrAgentRevoked is returned by UpdateAgent for a new certificate on a
// revoked agent: a revoked agent stays revoked and gets no certificate.
var ErrAgentRevoked = errors.New("agent revoked")

// Agent is a host that joined with a join token and speaks to the server
// with a client certificate. Its identity is that certificate; revocation
// refuses the certificate (and the ones it replaced) from then on.
type Agent struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Hostname string   `json:"hostname"`
	OS       string   `json:"os"`
	Arch     string   `json:"arch"`
	Version  string   `json:"version"`
	Labels   []string `json:"labels"`
	// CertSerial is the current client certificate's serial, as the
	// caller formats it (empty until the first certificate is issued).
	CertSerial   string    `json:"cert_serial"`
	CertNotAfter time.Time `json:"cert_not_after"`
	// PreviousCerts are certificates replaced by a renewal that had not
	// expired at the time; the store keeps them so a revocation covers
	// them too. The store manages it: UpdateAgent ignores what a holds.
	PreviousCerts []AgentCert `json:"previous_certs,omitempty"`
	JoinTokenID   string      `json:"join_token_id"`
	CreatedAt     time.Time   `json:"created_at"`
	LastSeen      time.Time   `json:"last_seen"`
	Address       string      `json:"address"`
	RevokedAt     *time.Time  `json:"revoked_at,omitempty"`
	// Commands are the shell commands the agent's own allow-list allows,
	// by name, as its latest poll reported them. The agent decides them;
	// the server only shows them.
	Commands []string `json:"commands,omitempty"`
}

// AgentCert is a certificate an agent held.
type AgentCert struct {
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"not_after"`
}

// validAgentName checks what the store relies on: a name to index.
func validAgentName(name string) error {
	if name == "" || strings.TrimSpace(name) != name {
		return fmt.Errorf("agent name %q: must be non-empty without surrounding spaces", name)
	}
	return nil
}

// CreateAgent stores a, setting ID and CreatedAt, and audits
// "agent.create". A name taken by another agent, compared without case,
// is ErrConflict (revoked agents keep theirs). RevokedAt and
// PreviousCerts start empty whatever a holds.
func (db *DB) CreateAgent(a *Agent, by Actor) error {
	if a == nil {
		return errors.New("store: create agent: nil agent")
	}
	if err := validAgentName(a.Name); err != nil {
		return fmt.Errorf("store: create agent: %w", err)
	}
	rec := *a
	rec.RevokedAt, rec.PreviousCerts = nil, nil
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		byName := tx.Bucket(bucketAgentsByName)
		if byName.Get(nameKey(rec.Name)) != nil {
			return fmt.Errorf("agent name %q: %w", rec.Name, ErrConflict)
		}
		b := tx.Bucket(bucketAgents)
		id, key, err := newID(b)
		if err != nil {
			return err
		}
		rec.ID = id
		rec.CreatedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		if err := byName.Put(nameKey(rec.Name), key); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "agent.create", auditTarget("agent", id), nil, rec)
	})
	if err != nil {
		return fmt.Errorf("store: create agent: %w", err)
	}
	*a = rec // only after the commit: a failed create leaves a as it was
	return nil
}

// Agent returns the agent with the given id, or ErrNotFound.
func (db *DB) Agent(id string) (Agent, error) {
	var a Agent
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		return getJSON(tx.Bucket(bucketAgents), key, &a)
	})
	if err != nil {
		return Agent{}, fmt.Errorf("store: agent %s: %w", id, err)
	}
	return a, nil
}

// AgentByName returns the agent called name, compared without case, or
// ErrNotFound.
func (db *DB) AgentByName(name string) (Agent, error) {
	var a Agent
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key := tx.Bucket(bucketAgentsByName).Get(nameKey(name))
		if key == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketAgents), key, &a)
	})
	if err != nil {
		return Agent{}, fmt.Errorf("store: agent %q: %w", name, err)
	}
	return a, nil
}

// Agents returns every agent, revoked ones included, ordered by id.
func (db *DB) Agents() ([]Agent, error) {
	out := []Agent{}
	err := db.forEachAgent(func(a Agent) { out = append(out, a) })
	if err != nil {
		return nil, fmt.Errorf("store: agents: %w", err)
	}
	return out, nil
}

func (db *DB) forEachAgent(fn func(Agent)) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAgents).ForEach(func(k, v []byte) error {
			var a Agent
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode agent %s: %w", keyID(k), err)
			}
			fn(a)
			return nil
		})
	})
}

// UpdateAgent replaces the stored agent a.ID with a (name, labels, host
// facts, allowed commands, certificate) and audits "agent.update" with the agent before and
// after. The store keeps what it manages: CreatedAt, JoinTokenID,
// LastSeen, Address and RevokedAt (a revoked agent stays revoked). A new
// CertSerial moves the old certificate, unless expired, to PreviousCerts;
// a new certificate for a revoked agent is ErrAgentRevoked. It returns
// ErrNotFound for an unknown id and ErrConflict for a taken name.
func (db *DB) UpdateAgent(a *Agent, by Actor) error {
	if a == nil {
		return errors.New("store: update agent: nil agent")
	}
	rec := *a
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(a.ID)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketAgents)
		var old Agent
		if err := getJSON(b, key, &old); err != nil {
			return err
		}
		if err := validAgentName(rec.Name); err != nil {
			return err
		}
		if err := renameAgentTx(tx, key, old.Name, rec.Name); err != nil {
			return err
		}
		if err := keepAgentFields(&rec, old, time.Now()); err != nil {
			return err
		}
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "agent.update", auditTarget("agent", rec.ID), old, rec)
	})
	if err != nil {
		return fmt.Errorf("store: update agent %s: %w", a.ID, err)
	}
	*a = rec
	return nil
}

// keepAgentFields copies the store-managed fields of old into rec and
// records a certificate renewal at now.
func keepAgentFields(rec *Agent, old Agent, now time.Time) error {
	rec.CreatedAt, rec.JoinTokenID = old.CreatedAt, old.JoinTokenID
	rec.LastSeen, rec.Address, rec.RevokedAt = old.LastSeen, old.Address, old.RevokedAt
	rec.PreviousCerts = nil
	for _, c := range old.PreviousCerts {
		if c.NotAfter.After(now) {
			rec.PreviousCerts = append(rec.PreviousCerts, c)
		}
	}
	if rec.CertSerial == old.CertSerial {
		return nil
	}
	if old.RevokedAt != nil {
		return ErrAgentRevoked
	}
	if old.CertSerial != "" && old.CertNotAfter.After(now) {
		rec.PreviousCerts = append(rec.PreviousCerts, AgentCert{Serial: old.CertSerial, NotAfter: old.CertNotAfter})
	}
	return nil
}

// renameAgentTx moves the name index entry when the name changes (a
// change of case only keeps the same index key).
func renameAgentTx(tx *bolt.Tx, key []byte, oldName, newName string) error {
	byName := tx.Bucket(bucketAgentsByName)
	if owner := byName.Get(nameKey(newName)); owner != nil && !bytes.Equal(owner, key) {
		return fmt.Errorf("agent name %q: %w", newName, ErrConflict)
	}
	if err := byName.Delete(nameKey(oldName)); err != nil {
		return err
	}
	return byName.Put(nameKey(newName), key)
}

// RevokeAgent marks an agent revoked at at, so its certificates are
// refused from then on, and audits "agent.revoke". Revoking a revoked
// agent keeps the first time and is not audited again. It returns
// ErrNotFound for an unknown id.
func (db *DB) RevokeAgent(id string, by Actor, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketAgents)
		var a Agent
		if err := getJSON(b, key, &a); err != nil {
			return err
		}
		if a.RevokedAt != nil {
			return nil
		}
		old := a
		when := at.UTC()
		a.RevokedAt = &when
		if err := putJSON(b, key, a); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "agent.revoke", auditTarget("agent", id), old, a)
	})
	if err != nil {
		return fmt.Errorf("store: revoke agent %s: %w", id, err)
	}
	return nil
}

// TouchAgent records a heartbeat: the agent was seen at at from address.
// It is not audited. It returns ErrNotFound for an unknown id.
func (db *DB) TouchAgent(id string, at time.Time, address string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketAgents)
		var a Agent
		if err := getJSON(b, key, &a); err != nil {
			return err
		}
		a.LastSeen, a.Address = at.UTC(), address
		return putJSON(b, key, a)
	})
	if err != nil {
		return fmt.Errorf("store: touch agent %s: %w", id, err)
	}
	return nil
}

// RevokedSerials returns the certificate serials of revoked agents, the
// current and the previous ones, for the gateway's in-memory set. Agents
// are few (thousands at most), so this scans.
func (db *DB) RevokedSerials() (map[string]bool, error) {
	out := map[string]bool{}
	err := db.forEachAgent(func(a Agent) {
		if a.RevokedAt == nil {
			return
		}
		if a.CertSerial != "" {
			out[a.CertSerial] = true
		}
		for _, c := range a.PreviousCerts {
			out[c.Serial] = true
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: revoked serials: %w", err)
	}
	return out, nil
}
