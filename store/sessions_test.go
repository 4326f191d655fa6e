package store

import (
	"reflect"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	mk := func(hash, user string, expires time.Duration) Session {
		return Session{
			TokenHash: []byte(hash), UserID: user, CSRFToken: "csrf-" + hash, IP: "127.0.0.1",
			UserAgent: "test", CreatedAt: now, ExpiresAt: now.Add(expires), LastSeen: now,
		}
	}
	s1 := mk("h1", "1", time.Hour)
	for _, s := range []Session{s1, mk("h2", "1", -time.Minute), mk("h3", "10", 0), mk("h4", "2", time.Hour)} {
		wantErr(t, db.PutSession(s), nil)
	}
	got, err := db.Session([]byte("h1"))
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, s1) {
		t.Fatalf("Session = %+v, want %+v", got, s1)
	}

	t.Run("unknown or empty hash", func(t *testing.T) {
		for _, h := range [][]byte{[]byte("nope"), nil} {
			_, err := db.Session(h)
			wantErr(t, err, ErrNotFound)
		}
		if err := db.PutSession(Session{}); err == nil {
			t.Fatal("stored a session without a hash")
		}
	})
	t.Run("touch replaces", func(t *testing.T) {
		s := s1
		s.LastSeen = now.Add(time.Minute)
		wantErr(t, db.PutSession(s), nil)
		got, _ := db.Session(s.TokenHash)
		if !got.LastSeen.Equal(s.LastSeen) {
			t.Fatalf("LastSeen = %v, want %v", got.LastSeen, s.LastSeen)
		}
	})
	t.Run("expired at or before now", func(t *testing.T) {
		n, err := db.DeleteExpiredSessions(now)
		wantErr(t, err, nil)
		if n != 2 {
			t.Fatalf("deleted %d, want 2 (h2 expired, h3 expires now)", n)
		}
		for h, want := range map[string]error{"h1": nil, "h2": ErrNotFound, "h3": ErrNotFound, "h4": nil} {
			_, err := db.Session([]byte(h))
			wantErr(t, err, want)
		}
	})
	t.Run("user sessions", func(t *testing.T) {
		wantErr(t, db.PutSession(mk("h5", "1", time.Hour)), nil)
		wantErr(t, db.PutSession(mk("h6", "10", time.Hour)), nil) // "10" shares a prefix with "1"
		wantErr(t, db.DeleteUserSessions("1"), nil)
		for h, want := range map[string]error{"h1": ErrNotFound, "h5": ErrNotFound, "h6": nil, "h4": nil} {
			_, err := db.Session([]byte(h))
			wantErr(t, err, want)
		}
	})
	t.Run("delete twice", func(t *testing.T) {
		wantErr(t, db.DeleteSession([]byte("h4")), nil)
		wantErr(t, db.DeleteSession([]byte("h4")), nil)
		_, err := db.Session([]byte("h4"))
		wantErr(t, err, ErrNotFound)
	})
	t.Run("moving a session to another user updates the index", func(t *testing.T) {
		wantErr(t, db.PutSession(mk("h7", "3", time.Hour)), nil)
		wantErr(t, db.PutSession(mk("h7", "4", time.Hour)), nil)
		wantErr(t, db.DeleteUserSessions("3"), nil)
		if _, err := db.Session([]byte("h7")); err != nil {
			t.Fatalf("user 3's sign-out removed user 4's session: %v", err)
		}
		wantErr(t, db.DeleteUserSessions("4"), nil)
		_, err := db.Session([]byte("h7"))
		wantErr(t, err, ErrNotFound)
	})
}

func TestTouchSession(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s := Session{TokenHash: []byte("h1"), UserID: "1", CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeen: now}
	wantErr(t, db.PutSession(s), nil)

	later := now.Add(5 * time.Minute)
	wantErr(t, db.TouchSession(s.TokenHash, later), nil)
	got, err := db.Session(s.TokenHash)
	wantErr(t, err, nil)
	want := s
	want.LastSeen = later
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("touched session = %+v, want %+v", got, want)
	}

	// Signed out: a touch that comes after does not bring it back.
	wantErr(t, db.DeleteSession(s.TokenHash), nil)
	wantErr(t, db.TouchSession(s.TokenHash, later.Add(time.Minute)), ErrNotFound)
	_, err = db.Session(s.TokenHash)
	wantErr(t, err, ErrNotFound)
	wantErr(t, db.TouchSession(nil, later), ErrNotFound)
}
