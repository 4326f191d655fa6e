package wire

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// tokenPrefix starts every join token, so a token is recognisable in a
// shell history or a secret scanner and its format can change later.
const tokenPrefix = "vgl1"

// JoinToken is what an agent needs for its first connection: which token
// (ID), the proof (Secret), and the SHA-256 fingerprint of the server's CA,
// so the agent verifies the server before it sends the secret.
type JoinToken struct {
	ID          string
	Secret      string
	Fingerprint string // 64 lowercase hex digits
}

// NewJoinSecret returns a fresh random secret for a join token.
func NewJoinSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// String formats the token as "vgl1.<id>.<secret>.<fingerprint>".
func (t JoinToken) String() string {
	return strings.Join([]string{tokenPrefix, t.ID, t.Secret, t.Fingerprint}, ".")
}

// ParseJoinToken reads a token made by String. Errors say what is wrong
// without echoing the secret.
func ParseJoinToken(s string) (JoinToken, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 || parts[0] != tokenPrefix {
		return JoinToken{}, fmt.Errorf("not a Vigil join token: it has the form %s.<id>.<secret>.<fingerprint>", tokenPrefix)
	}
	t := JoinToken{ID: parts[1], Secret: parts[2], Fingerprint: strings.ToLower(parts[3])}
	if t.ID == "" || len(t.ID) > MaxIDLen || !isTokenChars(t.ID) {
		return JoinToken{}, fmt.Errorf("join token: the id part is not valid")
	}
	if len(t.Secret) < MinSecretLen || len(t.Secret) > MaxSecretLen || !isTokenChars(t.Secret) {
		return JoinToken{}, fmt.Errorf("join token: the secret part is not valid")
	}
	if b, err := hex.DecodeString(t.Fingerprint); err != nil || len(b) != 32 {
		return JoinToken{}, fmt.Errorf("join token: the fingerprint part is not 64 hex digits")
	}
	return t, nil
}

// isTokenChars reports whether s holds only base64url characters, which
// never include the "." separator.
func isTokenChars(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
