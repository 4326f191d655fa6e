package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

func TestAPITokens(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	mk := func(hash, user string, expires time.Time) *APIToken {
		return &APIToken{TokenHash: []byte(hash), UserID: user, Name: "ci " + hash, ExpiresAt: expires}
	}
	t1 := mk("hash-1", "1", now.Add(time.Hour))
	for _, tok := range []*APIToken{t1, mk("hash-2", "2", now.Add(-time.Second)), mk("hash-3", "1", time.Time{})} {
		wantErr(t, db.CreateAPIToken(tok, testActor), nil)
	}
	if t1.ID != "1" || t1.CreatedAt.IsZero() {
		t.Fatalf("created token = %+v", t1)
	}
	a := lastAudit(t, db)
	if a.Action != "token.create" || a.Target != "token:3" || bytes.Contains(a.After, []byte("token_hash")) {
		t.Fatalf("create audit = %+v / %s", a, a.After)
	}

	got, err := db.APITokenByHash([]byte("hash-1"))
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *t1) {
		t.Fatalf("APITokenByHash = %+v, want %+v", got, *t1)
	}
	t.Run("conflicting and empty hashes", func(t *testing.T) {
		wantErr(t, db.CreateAPIToken(mk("hash-1", "2", time.Time{}), testActor), ErrConflict)
		if err := db.CreateAPIToken(mk("", "2", time.Time{}), testActor); err == nil {
			t.Fatal("created a token without a hash")
		}
		_, err := db.APITokenByHash(nil)
		wantErr(t, err, ErrNotFound)
	})
	t.Run("list per user", func(t *testing.T) {
		for user, want := range map[string]int{"1": 2, "2": 1, "": 3, "9": 0} {
			ts, err := db.APITokens(user)
			wantErr(t, err, nil)
			if len(ts) != want {
				t.Fatalf("APITokens(%q) has %d, want %d", user, len(ts), want)
			}
		}
	})
	t.Run("touch", func(t *testing.T) {
		wantErr(t, db.TouchAPIToken(t1.ID, now), nil)
		got, _ := db.APITokenByHash(t1.TokenHash)
		if !got.LastUsedAt.Equal(now) {
			t.Fatalf("LastUsedAt = %v", got.LastUsedAt)
		}
		wantErr(t, db.TouchAPIToken("77", now), ErrNotFound)
	})
	t.Run("expiry keeps tokens without one", func(t *testing.T) {
		n, err := db.DeleteExpiredAPITokens(now)
		wantErr(t, err, nil)
		if n != 1 {
			t.Fatalf("deleted %d, want 1", n)
		}
		_, err = db.APITokenByHash([]byte("hash-2"))
		wantErr(t, err, ErrNotFound)
		_, err = db.APITokenByHash([]byte("hash-3"))
		wantErr(t, err, nil)
	})
	t.Run("delete", func(t *testing.T) {
		wantErr(t, db.DeleteAPIToken(t1.ID, testActor), nil)
		wantErr(t, db.DeleteAPIToken(t1.ID, testActor), ErrNotFound)
		_, err := db.APITokenByHash(t1.TokenHash)
		wantErr(t, err, ErrNotFound)
		if a := lastAudit(t, db); a.Action != "token.delete" || a.Target != "token:1" || a.Before == nil {
			t.Fatalf("delete audit = %+v", a)
		}
		// The hash is free again.
		wantErr(t, db.CreateAPIToken(mk("hash-1", "1", time.Time{}), testActor), nil)
	})
}
