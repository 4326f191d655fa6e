package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, hash := NewToken()
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: %d bytes, %v; want 32 bytes of base64url", tok, len(raw), err)
		}
		want := sha256.Sum256([]byte(tok))
		if !bytes.Equal(hash, want[:]) || !bytes.Equal(HashToken(tok), hash) {
			t.Fatalf("hash of %q is not its SHA-256", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

func TestValidCSRF(t *testing.T) {
	tok := CSRFToken()
	if tok == CSRFToken() {
		t.Fatal("two CSRF tokens are equal")
	}
	tests := []struct {
		name          string
		session, form string
		want          bool
	}{
		{"match", tok, tok, true},
		{"differs", tok, CSRFToken(), false},
		{"form empty", tok, "", false},
		{"session empty", "", tok, false},
		{"both empty", "", "", false},
		{"prefix", tok, tok[:10], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidCSRF(tc.session, tc.form); got != tc.want {
				t.Fatalf("ValidCSRF = %v, want %v", got, tc.want)
			}
		})
	}
}
