package store

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketJoinTokens = []byte("join_tokens")

func init() { topBuckets = append(topBuckets, bucketJoinTokens) }

// Errors of ConsumeJoinToken, checked with errors.Is. An unknown token id
// and a wrong secret are the same ErrTokenInvalid, so a caller without the
// secret learns nothing about which ids exist or what state they are in.
var (
	// ErrTokenInvalid is an unknown join token id or a wrong secret.
	ErrTokenInvalid = errors.New("invalid join token")
	// ErrTokenExpired is a join token presented at or after its ExpiresAt.
	ErrTokenExpired = errors.New("join token expired")
	// ErrTokenUsedUp is a join token with no uses left.
	ErrTokenUsedUp = errors.New("join token used up")
	// ErrTokenRevoked is a join token that was revoked.
	ErrTokenRevoked = errors.New("join token revoked")
)

// JoinToken lets one or more agents join: the agent presents the id and a
// secret, and the store keeps only the secret's hash (SHA-256, computed by
// the caller). SecretHash is left out of JoinToken's JSON so no API answer
// or audit entry carries it; the store keeps it through joinTokenRecord.
type JoinToken struct {
	ID         string     `json:"id"`
	SecretHash []byte     `json:"-"`
	Note       string     `json:"note"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	UsesLeft   int        `json:"uses_left"`
	Used       int        `json:"used"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	CreatedBy  string     `json:"created_by"`
}

// joinTokenRecord is how a join token is stored, hash included.
type joinTokenRecord struct {
	JoinToken
	SecretHash []byte `json:"secret_hash"`
}

func (r joinTokenRecord) token() JoinToken {
	t := r.JoinToken
	t.SecretHash = r.SecretHash
	return t
}

// CreateJoinToken stores t, setting ID and CreatedAt (and CreatedBy to
// by.Username when empty), and audits "join_token.create" without the
// hash. t needs a SecretHash, a non-zero ExpiresAt and at least one use;
// Used and RevokedAt start empty whatever t holds.
func (db *DB) CreateJoinToken(t *JoinToken, by Actor) error {
	switch {
	case t == nil || len(t.SecretHash) == 0:
		return errors.New("store: create join token: empty secret hash")
	case t.ExpiresAt.IsZero():
		return errors.New("store: create join token: no expiry")
	case t.UsesLeft < 1:
		return fmt.Errorf("store: create join token: uses left %d: must be at least 1", t.UsesLeft)
	}
	rec := joinTokenRecord{JoinToken: *t, SecretHash: cloneBytes(t.SecretHash)}
	rec.Used, rec.RevokedAt = 0, nil
	rec.ExpiresAt = rec.ExpiresAt.UTC()
	if rec.CreatedBy == "" {
		rec.CreatedBy = by.Username
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJoinTokens)
		id, key, err := newID(b)
		if err != nil {
			return err
		}
		rec.ID = id
		rec.CreatedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "join_token.create", auditTarget("join_token", id), nil, rec.JoinToken)
	})
	if err != nil {
		return fmt.Errorf("store: create join token: %w", err)
	}
	*t = rec.token() // only after the commit: a failed create leaves t as it was
	return nil
}

// JoinToken returns the join token with the given id, or ErrNotFound.
func (db *DB) JoinToken(id string) (JoinToken, error) {
	var t JoinToken
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		var rec joinTokenRecord
		if err := getJSON(tx.Bucket(bucketJoinTokens), key, &rec); err != nil {
			return err
		}
		t = rec.token()
		return nil
	})
	if err != nil {
		return JoinToken{}, fmt.Errorf("store: join token %s: %w", id, err)
	}
	return t, nil
}

// JoinTokens returns every join token, newest first, used-up, expired and
// revoked ones included: the caller decides what to show.
func (db *DB) JoinTokens() ([]JoinToken, error) {
	out := []JoinToken{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return walkBack(tx.Bucket(bucketJoinTokens).Cursor(), nil, func(k, v []byte) (bool, error) {
			var rec joinTokenRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return false, fmt.Errorf("decode join token %s: %w", keyID(k), err)
			}
			out = append(out, rec.token())
			return false, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: join tokens: %w", err)
	}
	return out, nil
}

// RevokeJoinToken marks a join token revoked at at, so ConsumeJoinToken
// refuses it from then on, and audits "join_token.revoke". Revoking a
// revoked token keeps the first time and is not audited again. It returns
// ErrNotFound for an unknown id.
func (db *DB) RevokeJoinToken(id string, by Actor, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketJoinTokens)
		var rec joinTokenRecord
		if err := getJSON(b, key, &rec); err != nil {
			return err
		}
		if rec.RevokedAt != nil {
			return nil
		}
		old := rec.JoinToken
		when := at.UTC()
		rec.RevokedAt = &when
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "join_token.revoke", auditTarget("join_token", id), old, rec.JoinToken)
	})
	if err != nil {
		return fmt.Errorf("store: revoke join token %s: %w", id, err)
	}
	return nil
}

// ConsumeJoinToken checks a presented secret hash against join token id
// (in constant time) and, when the token is usable at now, takes one use:
// UsesLeft goes down and Used up, in one transaction, so concurrent joins
// cannot use a token more often than it allows. It returns the updated
// token. Its errors are ErrTokenInvalid (unknown id or wrong secret, the
// same for both), then, once the secret matched, ErrTokenRevoked,
// ErrTokenExpired (now at or after ExpiresAt) and ErrTokenUsedUp. It is not
// audited: the caller audits the agent it creates.
func (db *DB) ConsumeJoinToken(id string, secretHash []byte, now time.Time) (JoinToken, error) {
	var t JoinToken
	err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
		t, err = consumeJoinTokenTx(tx, id, secretHash, now)
		return err
	})
	if err != nil {
		return JoinToken{}, fmt.Errorf("store: consume join token %s: %w", id, err)
	}
	return t, nil
}

func consumeJoinTokenTx(tx *bolt.Tx, id string, secretHash []byte, now time.Time) (JoinToken, error) {
	b := tx.Bucket(bucketJoinTokens)
	var rec joinTokenRecord
	key, found := idKey(id)
	if found {
		err := getJSON(b, key, &rec)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return JoinToken{}, err
		}
		found = err == nil
	}
	// Compare even for an unknown id, so the answer takes about as long
	// as for a wrong secret.
	want := rec.SecretHash
	if !found || len(want) == 0 {
		want = make([]byte, len(secretHash))
	}
	match := subtle.ConstantTimeCompare(want, secretHash) == 1
	switch {
	case !found || !match || len(secretHash) == 0 || len(rec.SecretHash) == 0:
		return JoinToken{}, ErrTokenInvalid
	case rec.RevokedAt != nil:
		return JoinToken{}, ErrTokenRevoked
	case !now.Before(rec.ExpiresAt):
		return JoinToken{}, ErrTokenExpired
	case rec.UsesLeft < 1:
		return JoinToken{}, ErrTokenUsedUp
	}
	rec.UsesLeft--
	rec.Used++
	if err := putJSON(b, key, rec); err != nil {
		return JoinToken{}, err
	}
	return rec.token(), nil
}
