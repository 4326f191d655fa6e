package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"strings"
)

// codeAlphabet has no characters people confuse: no 0/O, 1/I/L.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// Setup code shape: codeGroups groups of codeGroupLen characters, about
// 59 bits with this alphabet.
const (
	codeGroups   = 3
	codeGroupLen = 4
)

// NewSetupCode returns a one-time code a person can type from the log,
// such as "K7QM-XR4T-9HWD". CompareCode checks it.
func NewSetupCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for i := 0; i < codeGroups*codeGroupLen; {
		_, _ = rand.Read(buf)
		// Reject bytes past the largest multiple of the alphabet size,
		// so every character is equally likely.
		if int(buf[0]) >= 256-256%len(codeAlphabet) {
			continue
		}
		if i > 0 && i%codeGroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(buf[0])%len(codeAlphabet)])
		i++
	}
	return b.String()
}

// normalizeCode upper-cases a code and drops dashes and white space, the
// ways people retype one.
func normalizeCode(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ', '\t', '\n', '\r':
			continue
		}
		out = append(out, string(r)...)
	}
	return out
}

// CompareCode reports whether two setup codes are the same, ignoring case,
// dashes and spaces, in constant time for codes of equal length. Empty
// codes never match, so an unset code cannot be "guessed" by sending
// nothing.
func CompareCode(a, b string) bool {
	na, nb := normalizeCode(a), normalizeCode(b)
	if len(na) == 0 || len(nb) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(na, nb) == 1
}
