package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketAPITokens       = []byte("api_tokens")
	bucketAPITokensByHash = []byte("api_tokens_by_hash")
)

func init() { topBuckets = append(topBuckets, bucketAPITokens, bucketAPITokensByHash) }

// APIToken is a bearer token for the JSON API. Only its SHA-256 is stored;
// TokenHash is left out of APIToken's JSON so no answer or audit entry
// carries it.
type APIToken struct {
	ID         string    `json:"id"`
	TokenHash  []byte    `json:"-"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"` // zero: never expires
	LastUsedAt time.Time `json:"last_used_at"`
}

// tokenRecord is how a token is stored, hash included.
type tokenRecord struct {
	APIToken
	TokenHash []byte `json:"token_hash"`
}

func (r tokenRecord) token() APIToken {
	t := r.APIToken
	t.TokenHash = r.TokenHash
	return t
}

// CreateAPIToken stores t, setting ID and CreatedAt, and audits
// "token.create". A hash already in use is ErrConflict.
func (db *DB) CreateAPIToken(t *APIToken, by Actor) error {
	if t == nil || len(t.TokenHash) == 0 {
		return errors.New("store: create api token: empty token hash")
	}
	rec := tokenRecord{APIToken: *t, TokenHash: t.TokenHash}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		byHash := tx.Bucket(bucketAPITokensByHash)
		if byHash.Get(t.TokenHash) != nil {
			return ErrConflict
		}
		b := tx.Bucket(bucketAPITokens)
		id, key, err := newID(b)
		if err != nil {
			return err
		}
		rec.ID = id
		rec.CreatedAt = time.Now().UTC()
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		if err := byHash.Put(rec.TokenHash, key); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "token.create", auditTarget("token", id), nil, rec.APIToken)
	})
	if err != nil {
		return fmt.Errorf("store: create api token: %w", err)
	}
	*t = rec.token()
	return nil
}

// APITokenByHash returns the token with hash h, or ErrNotFound. It does not
// look at ExpiresAt: the caller compares it with its clock.
func (db *DB) APITokenByHash(h []byte) (APIToken, error) {
	var t APIToken
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if len(h) == 0 {
			return ErrNotFound
		}
		key := tx.Bucket(bucketAPITokensByHash).Get(h)
		if key == nil {
			return ErrNotFound
		}
		var rec tokenRecord
		if err := getJSON(tx.Bucket(bucketAPITokens), key, &rec); err != nil {
			return err
		}
		t = rec.token()
		return nil
	})
	if err != nil {
		return APIToken{}, fmt.Errorf("store: api token: %w", err)
	}
	return t, nil
}

// APITokens returns the tokens of userID ("" for every user's), by id.
// Tokens are few, so this scans.
func (db *DB) APITokens(userID string) ([]APIToken, error) {
	out := []APIToken{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAPITokens).ForEach(func(k, v []byte) error {
			var rec tokenRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode token %s: %w", keyID(k), err)
			}
			if userID == "" || rec.UserID == userID {
				out = append(out, rec.token())
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	return out, nil
}

// TouchAPIToken records that a token was used at. It is not audited; the
// caller may skip it when LastUsedAt is recent, to save writes.
func (db *DB) TouchAPIToken(id string, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketAPITokens)
		var rec tokenRecord
		if err := getJSON(b, key, &rec); err != nil {
			return err
		}
		rec.LastUsedAt = at.UTC()
		return putJSON(b, key, rec)
	})
	if err != nil {
		return fmt.Errorf("store: touch api token %s: %w", id, err)
	}
	return nil
}

// DeleteAPIToken revokes a token and audits "token.delete". It returns
// ErrNotFound for an unknown id.
func (db *DB) DeleteAPIToken(id string, by Actor) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(id)
		if err != nil {
			return err
		}
		old, err := deleteTokenTx(tx, key)
		if err != nil {
			return err
		}
		return appendAuditTx(tx, by, "token.delete", auditTarget("token", id), old, nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete api token %s: %w", id, err)
	}
	return nil
}

// deleteTokenTx removes the token under key and its hash index entry.
func deleteTokenTx(tx *bolt.Tx, key []byte) (APIToken, error) {
	b := tx.Bucket(bucketAPITokens)
	var rec tokenRecord
	if err := getJSON(b, key, &rec); err != nil {
		return APIToken{}, err
	}
	if err := b.Delete(key); err != nil {
		return APIToken{}, err
	}
	byHash := tx.Bucket(bucketAPITokensByHash)
	if bytes.Equal(byHash.Get(rec.TokenHash), key) {
		if err := byHash.Delete(rec.TokenHash); err != nil {
			return APIToken{}, err
		}
	}
	return rec.APIToken, nil
}

// DeleteExpiredAPITokens removes tokens whose ExpiresAt is set and at or
// before now, and returns how many it removed. Expiry is not a person's
// change, so it is not audited.
func (db *DB) DeleteExpiredAPITokens(now time.Time) (int, error) {
	n, err := db.deleteTokensWhere(func(t APIToken) bool {
		return !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now)
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired api tokens: %w", err)
	}
	return n, nil
}

func (db *DB) deleteTokensWhere(match func(APIToken) bool) (int, error) {
	var n int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = deleteTokensWhereTx(tx, match)
		return err
	})
	return n, err
}

// deleteUserTokensTx removes every token of a user (the user is deleted).
func deleteUserTokensTx(tx *bolt.Tx, userID string) error {
	_, err := deleteTokensWhereTx(tx, func(t APIToken) bool { return t.UserID == userID })
	return err
}

func deleteTokensWhereTx(tx *bolt.Tx, match func(APIToken) bool) (int, error) {
	var keys [][]byte
	err := tx.Bucket(bucketAPITokens).ForEach(func(k, v []byte) error {
		var t APIToken
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode token %s: %w", keyID(k), err)
		}
		if match(t) {
			keys = append(keys, cloneBytes(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := deleteTokenTx(tx, k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
