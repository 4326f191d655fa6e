package store

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

func newUser(name, role string) *User {
	return &User{Username: name, PasswordHash: "$argon2id$secret-hash-" + name, Role: role}
}

func TestCreateUser(t *testing.T) {
	db := openTestDB(t)
	wantErr(t, db.CreateUser(newUser("Alice", RoleAdmin), testActor), nil)
	tests := []struct {
		name string
		user *User
		want error
	}{
		{"new name", newUser("bob", RoleViewer), nil},
		{"same name", newUser("Alice", RoleViewer), ErrConflict},
		{"name differs in case", newUser("aLICE", RoleEditor), ErrConflict},
		{"reserved system", newUser("System", RoleViewer), ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.CreateUser(tc.user, testActor), tc.want)
			if tc.want != nil && (tc.user.ID != "" || !tc.user.CreatedAt.IsZero()) {
				t.Fatalf("a failed create changed the user: %+v", tc.user)
			}
		})
	}
	for _, tc := range []struct {
		name string
		user *User
	}{
		{"empty name", newUser("", RoleViewer)},
		{"padded name", newUser(" carol", RoleViewer)},
		{"unknown role", newUser("carol", "root")},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.CreateUser(tc.user, testActor); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if n, err := db.CountUsers(); err != nil || n != 2 {
		t.Fatalf("CountUsers = %d, %v; want 2", n, err)
	}
}

func TestUserLookups(t *testing.T) {
	db := openTestDB(t)
	u := newUser("Alice", RoleAdmin)
	wantErr(t, db.CreateUser(u, testActor), nil)
	if u.ID != "1" || u.PasswordHash == "" || u.CreatedAt.IsZero() {
		t.Fatalf("created user = %+v", u)
	}
	byID, err := db.User("1")
	wantErr(t, err, nil)
	byName, err := db.UserByName("ALICE")
	wantErr(t, err, nil)
	if byID != *u || byName != *u {
		t.Fatalf("User = %+v, UserByName = %+v, want %+v", byID, byName, *u)
	}
	_, err = db.User("2")
	wantErr(t, err, ErrNotFound)
	_, err = db.UserByName("bob")
	wantErr(t, err, ErrNotFound)
	all, err := db.Users()
	wantErr(t, err, nil)
	if len(all) != 1 || all[0] != *u {
		t.Fatalf("Users = %+v", all)
	}
}

func TestUserJSONHidesHash(t *testing.T) {
	db := openTestDB(t)
	u := newUser("alice", RoleAdmin)
	wantErr(t, db.CreateUser(u, testActor), nil)
	data, _ := json.Marshal(u)
	if bytes.Contains(data, []byte("secret-hash")) {
		t.Fatalf("User JSON carries the hash: %s", data)
	}
	u.PasswordHash = "$argon2id$secret-hash-new"
	wantErr(t, db.UpdateUser(u, testActor), nil)
	es, _ := db.Audit(AuditQuery{})
	for _, e := range es {
		if bytes.Contains(e.Before, []byte("secret-hash")) || bytes.Contains(e.After, []byte("secret-hash")) {
			t.Fatalf("audit entry %s carries a hash: %s / %s", e.Action, e.Before, e.After)
		}
	}
	if !bytes.Contains(es[0].After, []byte(`"password_changed":true`)) {
		t.Fatalf("update audit does not say the password changed: %s", es[0].After)
	}
}

func TestUpdateUser(t *testing.T) {
	db := openTestDB(t)
	admin, bob := newUser("admin", RoleAdmin), newUser("bob", RoleEditor)
	wantErr(t, db.CreateUser(admin, testActor), nil)
	wantErr(t, db.CreateUser(bob, testActor), nil)
	edit := func(u *User, f func(*User)) *User { c := *u; f(&c); return &c }
	tests := []struct {
		name string
		user *User
		want error
	}{
		{"unknown id", edit(bob, func(u *User) { u.ID = "7" }), ErrNotFound},
		{"rename to taken name", edit(bob, func(u *User) { u.Username = "ADMIN" }), ErrConflict},
		{"demote last admin", edit(admin, func(u *User) { u.Role = RoleViewer }), ErrLastAdmin},
		{"disable last admin", edit(admin, func(u *User) { u.Disabled = true }), ErrLastAdmin},
		{"rename", edit(bob, func(u *User) { u.Username = "robert" }), nil},
		{"change case of own name", edit(bob, func(u *User) { u.Username = "Robert" }), nil},
		{"promote", edit(bob, func(u *User) { u.Username = "Robert"; u.Role = RoleAdmin }), nil},
		{"demote an admin who is not the last", edit(admin, func(u *User) { u.Role = RoleViewer }), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.UpdateUser(tc.user, testActor), tc.want)
		})
	}
	if _, err := db.UserByName("bob"); err == nil {
		t.Fatal("old name still finds the renamed user")
	}
	got, err := db.UserByName("robert")
	wantErr(t, err, nil)
	if got.Username != "Robert" || got.Role != RoleAdmin || !got.CreatedAt.Equal(bob.CreatedAt) {
		t.Fatalf("renamed user = %+v", got)
	}
	// "bob" is free again.
	wantErr(t, db.CreateUser(newUser("bob", RoleViewer), testActor), nil)
}

func TestUpdateUserSignsOut(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*User)
		signedOut bool
	}{
		{"role change keeps sessions", func(u *User) { u.Role = RoleViewer }, false},
		{"password change", func(u *User) { u.PasswordHash = "$argon2id$other" }, true},
		{"disable", func(u *User) { u.Disabled = true }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			wantErr(t, db.CreateUser(newUser("admin", RoleAdmin), testActor), nil)
			u := newUser("bob", RoleEditor)
			wantErr(t, db.CreateUser(u, testActor), nil)
			s := Session{TokenHash: []byte("h1"), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}
			wantErr(t, db.PutSession(s), nil)
			tc.change(u)
			wantErr(t, db.UpdateUser(u, testActor), nil)
			_, err := db.Session(s.TokenHash)
			if gone := err != nil; gone != tc.signedOut {
				t.Fatalf("session gone = %v (err %v), want %v", gone, err, tc.signedOut)
			}
		})
	}
}

func TestDeleteUser(t *testing.T) {
	db := openTestDB(t)
	admin, bob := newUser("admin", RoleAdmin), newUser("bob", RoleEditor)
	wantErr(t, db.CreateUser(admin, testActor), nil)
	wantErr(t, db.CreateUser(bob, testActor), nil)
	wantErr(t, db.PutSession(Session{TokenHash: []byte("s"), UserID: bob.ID}), nil)
	wantErr(t, db.CreateAPIToken(&APIToken{TokenHash: []byte("t"), UserID: bob.ID}, testActor), nil)

	wantErr(t, db.DeleteUser(admin.ID, testActor), ErrLastAdmin)
	wantErr(t, db.DeleteUser("9", testActor), ErrNotFound)
	wantErr(t, db.DeleteUser(bob.ID, testActor), nil)
	_, err := db.UserByName("bob")
	wantErr(t, err, ErrNotFound)
	_, err = db.Session([]byte("s"))
	wantErr(t, err, ErrNotFound)
	_, err = db.APITokenByHash([]byte("t"))
	wantErr(t, err, ErrNotFound)
	if a := lastAudit(t, db); a.Action != "user.delete" || a.Target != "user:"+bob.ID {
		t.Fatalf("delete audit = %+v", a)
	}
}

func TestCreateFirstAdmin(t *testing.T) {
	t.Run("races", func(t *testing.T) {
		db := openTestDB(t)
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs <- db.CreateFirstAdmin(newUser(string(rune('a'+i)), RoleAdmin), System)
			})
		}
		wg.Wait()
		close(errs)
		var won, conflicts int
		for err := range errs {
			switch {
			case err == nil:
				won++
			case isConflict(err):
				conflicts++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if c, _ := db.CountUsers(); won != 1 || conflicts != n-1 || c != 1 {
			t.Fatalf("won %d, conflicts %d, users %d; want 1, %d, 1", won, conflicts, c, n-1)
		}
		if a := lastAudit(t, db); a.Actor != "system" || a.Action != "user.create" {
			t.Fatalf("audit = %+v", a)
		}
	})
	t.Run("must be admin", func(t *testing.T) {
		db := openTestDB(t)
		if err := db.CreateFirstAdmin(newUser("a", RoleViewer), System); err == nil {
			t.Fatal("a viewer became the first user")
		}
	})
}
