package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"empty", "", ErrPasswordTooShort},
		{"nine", "123456789", ErrPasswordTooShort},
		{"ten", "1234567890", nil},
		{"ten runes, more bytes", "äöüäöüäöüä", nil},
		{"nine runes, many bytes", "日本語日本語日本語", ErrPasswordTooShort},
		{"256", strings.Repeat("a", 256), nil},
		{"257", strings.Repeat("a", 257), ErrPasswordTooLong},
		{"invalid utf-8", "0123456789\xff", ErrPasswordInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidatePassword(tc.pw); !errors.Is(err, tc.want) {
				t.Fatalf("ValidatePassword = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestHashAndCheckPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not in the expected PHC form", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right", "correct horse battery", true},
		{"wrong", "correct horse batterY", false},
		{"empty", "", false},
		{"prefix", "correct horse", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := CheckPassword(h, tc.pw)
			if err != nil || ok != tc.want {
				t.Fatalf("CheckPassword = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
	if NeedsRehash(h) {
		t.Fatal("a fresh hash needs rehashing")
	}
}

func TestCheckPasswordReadsParameters(t *testing.T) {
	// Made with other parameters (m=4096,t=1,p=2) by the same encoder:
	// CheckPassword must use the parameters in the string.
	salt := []byte("0123456789abcdef")
	key := derive("pw-with-old-params", salt, 1, 4096, 2, 24)
	enc := "$argon2id$v=19$m=4096,t=1,p=2$" + b64(salt) + "$" + b64(key)
	ok, err := CheckPassword(enc, "pw-with-old-params")
	if err != nil || !ok {
		t.Fatalf("CheckPassword = %v, %v; want true", ok, err)
	}
	if !NeedsRehash(enc) {
		t.Fatal("old parameters do not need rehashing")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	salt, key := b64([]byte("0123456789abcdef")), b64([]byte("0123456789abcdef0123456789abcdef"))
	tests := map[string]string{
		"empty":             "",
		"bcrypt":            "$2a$10$abcdefghijklmnopqrstuu5d3nQb7WS8oN0dR2a6dV0J6UL3e5Q1W",
		"argon2i":           "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"old version":       "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"missing part":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"extra part":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$x",
		"parameter order":   "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"trailing garbage":  "$argon2id$v=19$m=19456,t=2,p=1x$" + salt + "$" + key,
		"huge memory":       "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key,
		"huge time":         "$argon2id$v=19$m=19456,t=100000,p=1$" + salt + "$" + key,
		"zero threads":      "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"zero time":         "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"negative":          "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"bad salt":          "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"short salt":        "$argon2id$v=19$m=19456,t=2,p=1$" + b64([]byte("abc")) + "$" + key,
		"short key":         "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + b64([]byte("abc")),
		"padded base64 key": "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "==",
	}
	for name, enc := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := CheckPassword(enc, "anything")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("CheckPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
		})
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc$MDEyMzQ1Njc4OWFiY2RlZg", "pw")
	f.Add("$argon2id$v=19$m=4096,t=1,p=2$$", "")
	f.Fuzz(func(t *testing.T, enc, pw string) {
		p, err := parseHash(enc)
		if err != nil {
			return
		}
		// Never run a parsed hash past the limits.
		if p.memory > maxMemory || p.time > maxTime || p.threads > maxThreads {
			t.Fatalf("parsed out-of-range parameters %+v", p)
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
