package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// tokenBytes is the entropy of session, API and CSRF tokens: 256 bits.
const tokenBytes = 32

func randomToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a new session or API token (32 random bytes,
// unpadded base64url) and its SHA-256. Store only the hash; give the
// token to the person once.
func NewToken() (token string, hash []byte) {
	token = randomToken()
	return token, HashToken(token)
}

// HashToken is the SHA-256 of a token as presented, the key to look it up
// by. A plain hash is enough: the token has 256 random bits, so there is
// nothing to guess that a slow hash would protect.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CSRFToken returns a new random token to keep in a session and put in
// every state-changing form.
func CSRFToken() string { return randomToken() }

// ValidCSRF reports whether the form's token matches the session's, in
// constant time. An empty token on either side never matches.
func ValidCSRF(sessionToken, formToken string) bool {
	if sessionToken == "" || formToken == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sessionToken), []byte(formToken)) == 1
}
