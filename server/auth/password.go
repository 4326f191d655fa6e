package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes, OWASP's first recommendation
// (19 MiB, 2 passes, 1 lane). Hashes record their own parameters, so these
// can grow later without breaking existing passwords.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Limits on parameters read from a stored hash, so a corrupted or planted
// hash cannot make one check take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxThreads = 64
)

// Password policy bounds, in characters (runes).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// Password policy errors, for the form to show.
var (
	ErrPasswordTooShort = fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	ErrPasswordTooLong  = fmt.Errorf("the password must have at most %d characters", MaxPasswordLen)
	ErrPasswordInvalid  = errors.New("the password is not valid UTF-8 text")
)

// ErrMalformedHash is returned by CheckPassword for a string that is not
// an argon2id hash it can verify.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// hashSlots bounds concurrent hashes: each takes argonMemory, and a burst
// of sign-ins must not take the machine's memory with it.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// ValidatePassword applies the password policy: 10 to 256 characters of
// valid UTF-8. Length is the only rule, as NIST SP 800-63B advises.
func ValidatePassword(pw string) error {
	if !utf8.ValidString(pw) {
		return ErrPasswordInvalid
	}
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen:
		return ErrPasswordTooLong
	}
	return nil
}

// HashPassword returns pw's argon2id hash in PHC string format,
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash (unpadded standard base64).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	key := derive(pw, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

func derive(pw string, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, keyLen)
}

// CheckPassword reports whether pw matches encoded, a hash made by
// HashPassword (with any parameters). The comparison is constant time. A
// string it cannot parse is ErrMalformedHash, never a match.
func CheckPassword(encoded, pw string) (bool, error) {
	p, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	key := derive(pw, p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// new hashes use, so the server can rehash at the next sign-in.
func NeedsRehash(encoded string) bool {
	p, err := parseHash(encoded)
	return err != nil || p.memory != argonMemory || p.time != argonTime ||
		p.threads != argonThreads || len(p.key) != argonKeyLen
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parseHash(encoded string) (phc, error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return phc{}, fmt.Errorf("%w: version %q", ErrMalformedHash, parts[2])
	}
	var p phc
	var m, t, th uint64
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) != parts[3] {
		return phc{}, fmt.Errorf("%w: parameters %q", ErrMalformedHash, parts[3])
	}
	if m < 8*th || m > maxMemory || t < 1 || t > maxTime || th < 1 || th > maxThreads {
		return phc{}, fmt.Errorf("%w: parameters %q out of range", ErrMalformedHash, parts[3])
	}
	p.memory, p.time, p.threads = uint32(m), uint32(t), uint8(th)
	var err error
	if p.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return phc{}, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	if p.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 128 {
		return phc{}, fmt.Errorf("%w: key", ErrMalformedHash)
	}
	return p, nil
}
