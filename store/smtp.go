package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSettings holds server-wide settings people edit, one JSON value
// per key ("smtp"). Unlike the kv bucket (Meta), each key has its own
// typed methods and every change is audited.
var bucketSettings = []byte("settings")

func init() { topBuckets = append(topBuckets, bucketSettings) }

var keySMTP = []byte("smtp")

// SMTPSettings is how the server sends email. Password is sealed by the
// server before it reaches the store, and never shown in the audit log.
type SMTPSettings struct {
	Host      string    `json:"host"`
	Port      int       `json:"port"`
	Username  string    `json:"username"`
	Password  string    `json:"password"` // sealed
	From      string    `json:"from"`
	TLS       string    `json:"tls"` // none | starttls | tls
	UpdatedAt time.Time `json:"updated_at"`
}

// audited is s as the audit log shows it: whether a password is set, not
// the (sealed) password.
func (s SMTPSettings) audited() SMTPSettings {
	if s.Password == "" {
		s.Password = "(unset)"
	} else {
		s.Password = "(set)"
	}
	return s
}

// SMTPSettings returns the SMTP settings, or ErrNotFound when they were
// never set.
func (db *DB) SMTPSettings() (SMTPSettings, error) {
	var s SMTPSettings
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketSettings), keySMTP, &s)
	})
	if err != nil {
		return SMTPSettings{}, fmt.Errorf("store: smtp settings: %w", err)
	}
	return s, nil
}

// PutSMTPSettings replaces the SMTP settings, setting UpdatedAt, and
// audits "settings.smtp" with the settings before (absent the first time)
// and after, passwords shown only as "(set)" or "(unset)".
func (db *DB) PutSMTPSettings(s SMTPSettings, by Actor) error {
	s.UpdatedAt = time.Now().UTC()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		var before any
		var old SMTPSettings
		switch err := getJSON(b, keySMTP, &old); {
		case err == nil:
			before = old.audited()
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := putJSON(b, keySMTP, s); err != nil {
			return err
		}
		return appendAuditTx(tx, by, "settings.smtp", auditTarget("settings", "smtp"), before, s.audited())
	})
	if err != nil {
		return fmt.Errorf("store: put smtp settings: %w", err)
	}
	return nil
}
