package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// joinNow is the clock the join token tests run at.
var joinNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func secretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// newJoinToken creates a token with the given secret, uses and expiry.
func newJoinToken(t *testing.T, db *DB, secret string, uses int, expires time.Time) JoinToken {
	t.Helper()
	tok := &JoinToken{SecretHash: secretHash(secret), Note: "rack " + secret, UsesLeft: uses, ExpiresAt: expires}
	wantErr(t, db.CreateJoinToken(tok, testActor), nil)
	return *tok
}

// noSecretIn fails the test when an audit entry carries the hash.
func noSecretIn(t *testing.T, e AuditEntry, hash []byte) {
	t.Helper()
	for _, part := range [][]byte{e.Before, e.After} {
		if bytes.Contains(part, []byte("secret")) || bytes.Contains(part, []byte(base64.StdEncoding.EncodeToString(hash))) {
			t.Fatalf("audit entry %s carries the secret hash: %s", e.Action, part)
		}
	}
}

func TestCreateJoinToken(t *testing.T) {
	db := openTestDB(t)
	revoked := joinNow
	tok := &JoinToken{SecretHash: secretHash("s1"), Note: "web", UsesLeft: 3, Used: 9, RevokedAt: &revoked,
		ExpiresAt: joinNow.Add(time.Hour)}
	wantErr(t, db.CreateJoinToken(tok, testActor), nil)
	if tok.ID != "1" || tok.CreatedAt.IsZero() || tok.Used != 0 || tok.RevokedAt != nil || tok.CreatedBy != "alice" {
		t.Fatalf("created token = %+v", tok)
	}
	a := lastAudit(t, db)
	if a.Action != "join_token.create" || a.Target != "join_token:1" || a.Before != nil || a.Actor != "alice" {
		t.Fatalf("create audit = %+v", a)
	}
	noSecretIn(t, a, tok.SecretHash)
	got, err := db.JoinToken(tok.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, *tok) {
		t.Fatalf("JoinToken = %+v, want %+v", got, *tok)
	}

	for _, tc := range []struct {
		name string
		tok  *JoinToken
	}{
		{"nil", nil},
		{"no hash", &JoinToken{UsesLeft: 1, ExpiresAt: joinNow}},
		{"no expiry", &JoinToken{SecretHash: secretHash("x"), UsesLeft: 1}},
		{"no uses", &JoinToken{SecretHash: secretHash("x"), ExpiresAt: joinNow}},
		{"negative uses", &JoinToken{SecretHash: secretHash("x"), UsesLeft: -1, ExpiresAt: joinNow}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.CreateJoinToken(tc.tok, testActor); err == nil {
				t.Fatal("no error")
			}
			if tc.tok != nil && tc.tok.ID != "" {
				t.Fatalf("a failed create changed the token: %+v", tc.tok)
			}
		})
	}
	if ts, _ := db.JoinTokens(); len(ts) != 1 {
		t.Fatalf("have %d tokens after failed creates, want 1", len(ts))
	}
}

// theToken in a table stands for the id of the token the case created.
const theToken = "<the token>"

func TestConsumeJoinToken(t *testing.T) {
	expires := joinNow.Add(time.Hour)
	tests := []struct {
		name   string
		uses   int
		revoke bool
		id     string
		secret string
		now    time.Time
		want   error
	}{
		{"usable", 2, false, theToken, "right", joinNow, nil},
		{"one nanosecond before expiry", 1, false, theToken, "right", expires.Add(-time.Nanosecond), nil},
		{"exactly at expiry", 1, false, theToken, "right", expires, ErrTokenExpired},
		{"after expiry", 1, false, theToken, "right", expires.Add(time.Second), ErrTokenExpired},
		{"revoked", 1, true, theToken, "right", joinNow, ErrTokenRevoked},
		{"used up", 0, false, theToken, "right", joinNow, ErrTokenUsedUp},
		{"wrong secret", 1, false, theToken, "wrong", joinNow, ErrTokenInvalid},
		{"empty secret", 1, false, theToken, "", joinNow, ErrTokenInvalid},
		{"wrong secret on a revoked token", 1, true, theToken, "wrong", joinNow, ErrTokenInvalid},
		{"wrong secret after expiry", 1, false, theToken, "wrong", expires, ErrTokenInvalid},
		{"unknown id", 1, false, "99", "right", joinNow, ErrTokenInvalid},
		{"malformed id", 1, false, "01", "right", joinNow, ErrTokenInvalid},
		{"empty id", 1, false, "", "right", joinNow, ErrTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			tok := newJoinToken(t, db, "right", max(tc.uses, 1), expires)
			if tc.uses == 0 {
				_, err := db.ConsumeJoinToken(tok.ID, secretHash("right"), joinNow)
				wantErr(t, err, nil)
			}
			if tc.revoke {
				wantErr(t, db.RevokeJoinToken(tok.ID, testActor, joinNow), nil)
			}
			id := tc.id
			if id == theToken {
				id = tok.ID
			}
			hash := secretHash(tc.secret)
			if tc.secret == "" {
				hash = nil
			}
			before, _ := db.JoinToken(tok.ID)
			got, err := db.ConsumeJoinToken(id, hash, tc.now)
			wantErr(t, err, tc.want)
			after, _ := db.JoinToken(tok.ID)
			if tc.want != nil {
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused consume changed the token: %+v -> %+v", before, after)
				}
				return
			}
			if got.UsesLeft != before.UsesLeft-1 || got.Used != before.Used+1 || !reflect.DeepEqual(got, after) {
				t.Fatalf("consumed %+v, stored %+v, before %+v", got, after, before)
			}
		})
	}
}

func TestConsumeJoinTokenRace(t *testing.T) {
	db := openTestDB(t)
	tok := newJoinToken(t, db, "once", 1, joinNow.Add(time.Hour))
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = db.ConsumeJoinToken(tok.ID, secretHash("once"), joinNow)
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrTokenUsedUp):
			t.Fatalf("loser error = %v, want ErrTokenUsedUp", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d goroutines consumed a one-use token, want 1", wins)
	}
	got, _ := db.JoinToken(tok.ID)
	if got.UsesLeft != 0 || got.Used != 1 {
		t.Fatalf("after the race: uses left %d, used %d", got.UsesLeft, got.Used)
	}
}

func TestRevokeJoinToken(t *testing.T) {
	db := openTestDB(t)
	tok := newJoinToken(t, db, "r", 1, joinNow.Add(time.Hour))
	tests := []struct {
		name string
		id   string
		at   time.Time
		want error
	}{
		{"revoke", tok.ID, joinNow, nil},
		{"again keeps the first time", tok.ID, joinNow.Add(time.Minute), nil},
		{"unknown", "42", joinNow, ErrNotFound},
		{"malformed", "x", joinNow, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.RevokeJoinToken(tc.id, testActor, tc.at), tc.want)
		})
	}
	got, _ := db.JoinToken(tok.ID)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(joinNow) {
		t.Fatalf("RevokedAt = %v, want %v", got.RevokedAt, joinNow)
	}
	es, err := db.Audit(AuditQuery{Target: "join_token:" + tok.ID})
	wantErr(t, err, nil)
	if len(es) != 2 || es[0].Action != "join_token.revoke" || es[0].Before == nil || es[0].After == nil {
		t.Fatalf("audit of the token = %+v", es)
	}
	noSecretIn(t, es[0], tok.SecretHash)
}

func TestJoinTokensNewestFirst(t *testing.T) {
	db := openTestDB(t)
	for _, s := range []string{"a", "b", "c"} {
		newJoinToken(t, db, s, 1, joinNow)
	}
	ts, err := db.JoinTokens()
	wantErr(t, err, nil)
	var ids []string
	for _, tok := range ts {
		ids = append(ids, tok.ID)
	}
	if !reflect.DeepEqual(ids, []string{"3", "2", "1"}) {
		t.Fatalf("ids = %v, want newest first", ids)
	}
	// The hash is copied out: changing it changes nothing stored.
	ts[0].SecretHash[0] ^= 0xff
	if got, _ := db.JoinToken("3"); !bytes.Equal(got.SecretHash, secretHash("c")) {
		t.Fatal("a returned hash shares memory with the store")
	}
}

// FuzzConsumeJoinToken presents arbitrary ids and hashes: only the right
// pair consumes the token, and nothing else is anything but invalid.
func FuzzConsumeJoinToken(f *testing.F) {
	db, err := Open(f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	tok := &JoinToken{SecretHash: secretHash("right"), UsesLeft: 1 << 30, ExpiresAt: joinNow.Add(time.Hour)}
	if err := db.CreateJoinToken(tok, testActor); err != nil {
		f.Fatal(err)
	}
	f.Add("1", secretHash("right"))
	f.Add("1", secretHash("wrong"))
	f.Add("01", secretHash("right"))
	f.Add("", []byte{})
	f.Add("18446744073709551615", secretHash("right")[:31])
	f.Fuzz(func(t *testing.T, id string, hash []byte) {
		_, err := db.ConsumeJoinToken(id, hash, joinNow)
		right := id == tok.ID && bytes.Equal(hash, tok.SecretHash)
		switch {
		case right && err != nil:
			t.Fatalf("right id and secret refused: %v", err)
		case !right && !errors.Is(err, ErrTokenInvalid):
			t.Fatalf("ConsumeJoinToken(%q, %x) = %v, want ErrTokenInvalid", id, hash, err)
		}
	})
}
