package store

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/vigil-monitor/vigil/internal/seal"
	bolt "go.etcd.io/bbolt"
)

var (
	bucketContacts       = []byte("contacts")
	bucketContactsByName = []byte("contacts_by_name")
	bucketGroups         = []byte("contact_groups")
	bucketGroupsByName   = []byte("contact_groups_by_name")
)

func init() {
	topBuckets = append(topBuckets, bucketContacts, bucketContactsByName, bucketGroups, bucketGroupsByName)
}

var (
	contactKind = namedKind{kind: "contact", noun: "contact", bucket: bucketContacts, byName: bucketContactsByName}
	// Groups take their ids from the contacts' sequence: a monitor's
	// notify list holds contact and group ids side by side, so no group
	// may have a contact's id.
	groupKind = namedKind{kind: "contact_group", noun: "contact group", bucket: bucketGroups,
		byName: bucketGroupsByName, seq: bucketContacts}
)

// Contact is someone or something to notify: an email address, a webhook,
// a phone. Type names a server/notify type; Settings are that type's, with
// its secret fields already sealed by the server (the store never holds
// the key), which keeps them out of the audit log as "(set)".
type Contact struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Settings  json.RawMessage `json:"settings"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func (c *Contact) identity() (string, string, time.Time) { return c.ID, c.Name, c.CreatedAt }
func (c *Contact) stamp(id string, created, updated time.Time) {
	c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
}
func (c *Contact) normalize() error {
	if c.Type == "" {
		return errors.New("contact without a type")
	}
	if len(c.Settings) == 0 {
		c.Settings = json.RawMessage("{}")
	}
	return nil
}
func (c *Contact) audited() any {
	v := *c
	v.Settings = redactSealed(c.Settings)
	return v
}

// ContactGroup is a set of contacts ("on-call web", "DBAs"), usable
// wherever a contact is. Members are contact ids.
type ContactGroup struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Members   []string  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (g *ContactGroup) identity() (string, string, time.Time) { return g.ID, g.Name, g.CreatedAt }
func (g *ContactGroup) stamp(id string, created, updated time.Time) {
	g.ID, g.CreatedAt, g.UpdatedAt = id, created, updated
}
func (g *ContactGroup) normalize() error {
	if g.Members == nil {
		g.Members = []string{}
	}
	return nil
}
func (g *ContactGroup) audited() any { return *g }

// CreateContact stores c, setting ID, CreatedAt and UpdatedAt, and audits
// "contact.create" with sealed settings shown as "(set)". A name another
// contact has, compared without case, is ErrConflict.
func (db *DB) CreateContact(c *Contact, by Actor) error { return createNamed(db, contactKind, c, by) }

// UpdateContact replaces contact c.ID with c and audits "contact.update".
// An unknown id is ErrNotFound, a taken name ErrConflict.
func (db *DB) UpdateContact(c *Contact, by Actor) error { return updateNamed(db, contactKind, c, by) }

// DeleteContact removes a contact and, in the same transaction, every
// reference to it: group members, escalation steps' targets, routes' and
// monitors' notify lists (each changed record audited as an update).
// An unknown id is ErrNotFound.
func (db *DB) DeleteContact(id string, by Actor) error {
	return deleteNamed[Contact](db, contactKind, id, by, func(tx *bolt.Tx) error {
		return unlinkTargetTx(tx, id, by)
	})
}

// Contact returns the contact with the given id, or ErrNotFound.
func (db *DB) Contact(id string) (Contact, error) { return getNamed[Contact](db, contactKind, id) }

// Contacts returns every contact, ordered by id.
func (db *DB) Contacts() ([]Contact, error) { return listNamed[Contact](db, contactKind) }

// CreateGroup stores g, setting ID (never one a contact has), CreatedAt
// and UpdatedAt, and audits "contact_group.create". A name another group
// has is ErrConflict.
func (db *DB) CreateGroup(g *ContactGroup, by Actor) error { return createNamed(db, groupKind, g, by) }

// UpdateGroup replaces group g.ID with g and audits
// "contact_group.update". An unknown id is ErrNotFound, a taken name
// ErrConflict.
func (db *DB) UpdateGroup(g *ContactGroup, by Actor) error { return updateNamed(db, groupKind, g, by) }

// DeleteGroup removes a group and every reference to it, as
// DeleteContact does. Its contacts stay. An unknown id is ErrNotFound.
func (db *DB) DeleteGroup(id string, by Actor) error {
	return deleteNamed[ContactGroup](db, groupKind, id, by, func(tx *bolt.Tx) error {
		return unlinkTargetTx(tx, id, by)
	})
}

// Group returns the contact group with the given id, or ErrNotFound.
func (db *DB) Group(id string) (ContactGroup, error) {
	return getNamed[ContactGroup](db, groupKind, id)
}

// Groups returns every contact group, ordered by id.
func (db *DB) Groups() ([]ContactGroup, error) { return listNamed[ContactGroup](db, groupKind) }

// redactSealed returns settings with every sealed string, at any depth,
// replaced by "(set)", for the audit log: the store cannot tell which
// fields are secret, but the server seals exactly those. Settings that are
// not JSON show as null rather than as they are.
func redactSealed(settings json.RawMessage) json.RawMessage {
	if len(settings) == 0 {
		return settings
	}
	var v any
	if err := json.Unmarshal(settings, &v); err != nil {
		return json.RawMessage("null")
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return json.RawMessage("null")
	}
	return out
}

func redactValue(v any) any {
	switch x := v.(type) {
	case string:
		if seal.IsSealed(x) {
			return "(set)"
		}
	case map[string]any:
		for k, e := range x {
			x[k] = redactValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = redactValue(e)
		}
	}
	return v
}
