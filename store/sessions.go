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
	bucketSessions       = []byte("sessions")
	bucketSessionsByUser = []byte("sessions_by_user")
)

func init() { topBuckets = append(topBuckets, bucketSessions, bucketSessionsByUser) }

// Session is a signed-in browser. Only the SHA-256 of the cookie's token is
// stored, so a copy of the database does not let anyone sign in.
type Session struct {
	TokenHash []byte    `json:"token_hash"`
	UserID    string    `json:"user_id"`
	CSRFToken string    `json:"csrf_token"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// sessionUserKey is the index key: user id, a 0 byte, the token hash.
func sessionUserKey(userID string, hash []byte) []byte {
	k := make([]byte, 0, len(userID)+1+len(hash))
	k = append(append(k, userID...), 0)
	return append(k, hash...)
}

// PutSession creates or replaces the session with s.TokenHash (replacing
// is how the server records LastSeen). It is not audited: signing in is
// not a change to anything a person owns.
func (db *DB) PutSession(s Session) error {
	if len(s.TokenHash) == 0 {
		return errors.New("store: put session: empty token hash")
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		idx := tx.Bucket(bucketSessionsByUser)
		var old Session
		switch err := getJSON(b, s.TokenHash, &old); {
		case err == nil && old.UserID != s.UserID:
			if err := idx.Delete(sessionUserKey(old.UserID, s.TokenHash)); err != nil {
				return err
			}
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if err := putJSON(b, s.TokenHash, s); err != nil {
			return err
		}
		return idx.Put(sessionUserKey(s.UserID, s.TokenHash), nil)
	})
	if err != nil {
		return fmt.Errorf("store: put session: %w", err)
	}
	return nil
}

// TouchSession sets the LastSeen of the session with tokenHash to at, in
// one transaction, and returns ErrNotFound when the session is gone: a
// sign-out racing a touch never brings the session back, as reading it and
// then calling PutSession could.
func (db *DB) TouchSession(tokenHash []byte, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if len(tokenHash) == 0 {
			return ErrNotFound
		}
		b := tx.Bucket(bucketSessions)
		var s Session
		if err := getJSON(b, tokenHash, &s); err != nil {
			return err
		}
		s.LastSeen = at.UTC()
		return putJSON(b, tokenHash, s)
	})
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// Session returns the session with the given token hash, or ErrNotFound.
// It does not look at ExpiresAt: the caller compares it with its clock.
func (db *DB) Session(tokenHash []byte) (Session, error) {
	var s Session
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if len(tokenHash) == 0 {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketSessions), tokenHash, &s)
	})
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

// DeleteSession removes a session (signing out). Deleting a session that
// does not exist is not an error, so signing out twice is harmless.
func (db *DB) DeleteSession(tokenHash []byte) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return deleteSessionTx(tx, tokenHash)
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

func deleteSessionTx(tx *bolt.Tx, tokenHash []byte) error {
	if len(tokenHash) == 0 {
		return nil
	}
	b := tx.Bucket(bucketSessions)
	var s Session
	if err := getJSON(b, tokenHash, &s); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	if err := b.Delete(tokenHash); err != nil {
		return err
	}
	return tx.Bucket(bucketSessionsByUser).Delete(sessionUserKey(s.UserID, tokenHash))
}

// DeleteExpiredSessions removes sessions with ExpiresAt at or before now
// and returns how many it removed.
func (db *DB) DeleteExpiredSessions(now time.Time) (int, error) {
	var n int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var expired [][]byte
		err := tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var s Session
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("decode session: %w", err)
			}
			if !s.ExpiresAt.After(now) {
				expired = append(expired, cloneBytes(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Deleting while ForEach walks the bucket is not allowed.
		for _, k := range expired {
			if err := deleteSessionTx(tx, k); err != nil {
				return err
			}
		}
		n = len(expired)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// DeleteUserSessions signs a user out everywhere.
func (db *DB) DeleteUserSessions(userID string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return deleteUserSessionsTx(tx, userID) })
	if err != nil {
		return fmt.Errorf("store: delete sessions of user %s: %w", userID, err)
	}
	return nil
}

func deleteUserSessionsTx(tx *bolt.Tx, userID string) error {
	prefix := sessionUserKey(userID, nil)
	var hashes [][]byte
	c := tx.Bucket(bucketSessionsByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		hashes = append(hashes, cloneBytes(k[len(prefix):]))
	}
	idx := tx.Bucket(bucketSessionsByUser)
	for _, h := range hashes {
		if err := deleteSessionTx(tx, h); err != nil {
			return err
		}
		// Also drop the entry itself, in case the session it named now
		// belongs to someone else.
		if err := idx.Delete(sessionUserKey(userID, h)); err != nil {
			return err
		}
	}
	return nil
}
