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
	bucketUsers       = []byte("users")
	bucketUsersByName = []byte("users_by_name")
)

func init() { topBuckets = append(topBuckets, bucketUsers, bucketUsersByName) }

// The roles a user can have.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	RoleViewer = "viewer"
)

// ErrLastAdmin is returned when a change would leave no enabled
// administrator, which would lock everyone out of user management.
var ErrLastAdmin = errors.New("the last enabled administrator cannot be removed, disabled or demoted")

// ValidRole reports whether role is one of the known roles.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleEditor || role == RoleViewer
}

// User is a person who can sign in. PasswordHash is never part of User's
// JSON (so an API answer or an audit entry cannot leak it); the store
// keeps it through userRecord.
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	PasswordHash string    `json:"-"`
	Role         string    `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Disabled     bool      `json:"disabled"`
}

// userRecord is how a user is stored: the outer field wins over the
// embedded one that User hides.
type userRecord struct {
	User
	PasswordHash string `json:"password_hash"`
}

// userAudit is a user as the audit log shows it.
type userAudit struct {
	User
	PasswordChanged bool `json:"password_changed,omitempty"`
}

func nameKey(name string) []byte { return []byte(strings.ToLower(name)) }

// validUser checks what the store itself relies on.
func validUser(u *User) error {
	name := strings.TrimSpace(u.Username)
	switch {
	case name == "" || name != u.Username:
		return fmt.Errorf("user name %q: must be non-empty without surrounding spaces", u.Username)
	case strings.EqualFold(name, System.Username):
		return fmt.Errorf("user name %q is reserved: %w", name, ErrConflict)
	case !ValidRole(u.Role):
		return fmt.Errorf("role %q: must be admin, editor or viewer", u.Role)
	}
	return nil
}

// CreateUser stores u, setting ID, CreatedAt and UpdatedAt, and audits
// "user.create". A name taken by another user, compared without case, is
// ErrConflict; so is the reserved name "system".
func (db *DB) CreateUser(u *User, by Actor) error {
	var created User
	err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
		created, err = createUserTx(tx, u, by)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	*u = created // only after the commit: a failed create leaves u as it was
	return nil
}

// CreateFirstAdmin creates u as an administrator only when no user exists
// yet; otherwise it returns ErrConflict. The check and the creation share a
// transaction, so the setup page and --admin-user cannot both win.
func (db *DB) CreateFirstAdmin(u *User, by Actor) error {
	var created User
	err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
		if k, _ := tx.Bucket(bucketUsers).Cursor().First(); k != nil {
			return fmt.Errorf("a user exists already: %w", ErrConflict)
		}
		if u != nil && u.Role != RoleAdmin {
			return fmt.Errorf("role %q: the first user must be an admin", u.Role)
		}
		created, err = createUserTx(tx, u, by)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create first admin: %w", err)
	}
	*u = created
	return nil
}

// createUserTx stores a new user and returns it with ID and times set.
func createUserTx(tx *bolt.Tx, u *User, by Actor) (User, error) {
	if u == nil {
		return User{}, errors.New("nil user")
	}
	if err := validUser(u); err != nil {
		return User{}, err
	}
	byName := tx.Bucket(bucketUsersByName)
	if byName.Get(nameKey(u.Username)) != nil {
		return User{}, fmt.Errorf("user name %q: %w", u.Username, ErrConflict)
	}
	b := tx.Bucket(bucketUsers)
	id, key, err := newID(b)
	if err != nil {
		return User{}, err
	}
	rec := userRecord{User: *u, PasswordHash: u.PasswordHash}
	rec.ID = id
	rec.CreatedAt = time.Now().UTC()
	rec.UpdatedAt = rec.CreatedAt
	if err := putJSON(b, key, rec); err != nil {
		return User{}, err
	}
	if err := byName.Put(nameKey(u.Username), key); err != nil {
		return User{}, err
	}
	if err := appendAuditTx(tx, by, "user.create", auditTarget("user", id), nil, userAudit{User: rec.User}); err != nil {
		return User{}, err
	}
	created := rec.User
	created.PasswordHash = rec.PasswordHash
	return created, nil
}

func getUserTx(tx *bolt.Tx, key []byte) (User, error) {
	var rec userRecord
	if err := getJSON(tx.Bucket(bucketUsers), key, &rec); err != nil {
		return User{}, err
	}
	u := rec.User
	u.PasswordHash = rec.PasswordHash
	return u, nil
}

// User returns the user with the given id, or ErrNotFound.
func (db *DB) User(id string) (User, error) {
	var u User
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		u, err = getUserTx(tx, key)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("store: user %s: %w", id, err)
	}
	return u, nil
}

// UserByName returns the user called name, compared without case, or
// ErrNotFound.
func (db *DB) UserByName(name string) (User, error) {
	var u User
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key := tx.Bucket(bucketUsersByName).Get(nameKey(name))
		if key == nil {
			return ErrNotFound
		}
		var err error
		u, err = getUserTx(tx, key)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", name, err)
	}
	return u, nil
}

// Users returns every user, ordered by id.
func (db *DB) Users() ([]User, error) {
	out := []User{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var rec userRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode user %s: %w", keyID(k), err)
			}
			u := rec.User
			u.PasswordHash = rec.PasswordHash
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// CountUsers returns how many users exist.
func (db *DB) CountUsers() (int, error) {
	var n int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketUsers).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// UpdateUser replaces the stored user u.ID with u (name, password hash,
// role, disabled), keeping CreatedAt and setting UpdatedAt, and audits
// "user.update" (the audit shows password_changed, never a hash).
//
// In the same transaction it signs the user out everywhere (deletes their
// sessions) when the password changes or the user is disabled: a stolen
// session must not outlive a password reset. The caller creates a fresh
// session for a person who changed their own password.
//
// It returns ErrNotFound for an unknown id, ErrConflict when the new name
// is taken, and ErrLastAdmin when it would leave no enabled admin.
func (db *DB) UpdateUser(u *User, by Actor) error {
	if u == nil {
		return fmt.Errorf("store: update user: nil user")
	}
	rec := userRecord{User: *u, PasswordHash: u.PasswordHash}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(u.ID)
		if err != nil {
			return err
		}
		old, err := getUserTx(tx, key)
		if err != nil {
			return err
		}
		if err := validUser(u); err != nil {
			return err
		}
		if err := renameUserTx(tx, key, old.Username, u.Username); err != nil {
			return err
		}
		if isActiveAdmin(old) && !isActiveAdmin(*u) {
			if err := requireOtherAdminTx(tx, key); err != nil {
				return err
			}
		}
		rec.CreatedAt = old.CreatedAt
		rec.UpdatedAt = time.Now().UTC()
		if err := putJSON(tx.Bucket(bucketUsers), key, rec); err != nil {
			return err
		}
		pwChanged := old.PasswordHash != rec.PasswordHash
		if pwChanged || (rec.Disabled && !old.Disabled) {
			if err := deleteUserSessionsTx(tx, u.ID); err != nil {
				return err
			}
		}
		after := userAudit{User: rec.User, PasswordChanged: pwChanged}
		return appendAuditTx(tx, by, "user.update", auditTarget("user", u.ID), userAudit{User: old}, after)
	})
	if err != nil {
		return fmt.Errorf("store: update user %s: %w", u.ID, err)
	}
	*u = rec.User
	u.PasswordHash = rec.PasswordHash
	return nil
}

// DeleteUser removes a user with their sessions and API tokens and audits
// "user.delete". It returns ErrNotFound for an unknown id and ErrLastAdmin
// for the last enabled admin.
func (db *DB) DeleteUser(id string, by Actor) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		old, err := getUserTx(tx, key)
		if err != nil {
			return err
		}
		if isActiveAdmin(old) {
			if err := requireOtherAdminTx(tx, key); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketUsers).Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUsersByName).Delete(nameKey(old.Username)); err != nil {
			return err
		}
		if err := deleteUserSessionsTx(tx, id); err != nil {
			return err
		}
		if err := deleteUserTokensTx(tx, id); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "user.delete", auditTarget("user", id), userAudit{User: old}, nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete user %s: %w", id, err)
	}
	return nil
}

// renameUserTx moves the name index entry when the name changes (a change
// of case only keeps the same index key).
func renameUserTx(tx *bolt.Tx, key []byte, oldName, newName string) error {
	byName := tx.Bucket(bucketUsersByName)
	if owner := byName.Get(nameKey(newName)); owner != nil && !bytes.Equal(owner, key) {
		return fmt.Errorf("user name %q: %w", newName, ErrConflict)
	}
	if err := byName.Delete(nameKey(oldName)); err != nil {
		return err
	}
	return byName.Put(nameKey(newName), key)
}

func isActiveAdmin(u User) bool { return u.Role == RoleAdmin && !u.Disabled }

// requireOtherAdminTx returns ErrLastAdmin unless an enabled admin other
// than the user under key exists. Users are few; a scan is fine.
func requireOtherAdminTx(tx *bolt.Tx, key []byte) error {
	c := tx.Bucket(bucketUsers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if bytes.Equal(k, key) {
			continue
		}
		var u User
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("decode user %s: %w", keyID(k), err)
		}
		if isActiveAdmin(u) {
			return nil
		}
	}
	return ErrLastAdmin
}
