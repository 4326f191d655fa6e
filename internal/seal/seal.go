package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a Box's key in bytes (AES-256).
const KeySize = 32

// MaxPlain bounds what Seal takes: secrets are small, and the bound keeps
// a hostile value from growing memory in Open.
const MaxPlain = 64 << 10

// prefix starts every value this version seals; anyPrefix every value any
// version seals.
const (
	anyPrefix = "sealed:"
	prefix    = anyPrefix + "v1:"
)

// maxSealed is the longest sealed value Open decodes: MaxPlain plus nonce
// and tag, base64-encoded, plus the prefix.
var maxSealed = len(prefix) + base64.RawURLEncoding.EncodedLen(12+MaxPlain+16)

// Errors of Open, checked with errors.Is. Neither echoes the value.
var (
	// ErrNotSealed is a value that is not the output of Seal.
	ErrNotSealed = errors.New("seal: value is not sealed")
	// ErrCannotOpen is a sealed value that does not open: sealed under
	// another key or for another purpose, or altered.
	ErrCannotOpen = errors.New("seal: sealed value does not open (another key, another purpose, or altered)")
)

// Box seals small secrets with AES-256-GCM under one key. It is safe for
// concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a KeySize-byte key. The server reads its key with
// OpenKeyFile; tests call New.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain bound to purpose, with a fresh random nonce, and
// returns "sealed:v1:" and the base64url of nonce and ciphertext. An empty
// plain seals to "", so "no secret" stays visible as such.
func (b *Box) Seal(plain, purpose string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if b == nil || b.aead == nil {
		return "", errors.New("seal: no key")
	}
	if len(plain) > MaxPlain {
		return "", fmt.Errorf("seal: secret is %d bytes, more than %d", len(plain), MaxPlain)
	}
	ns := b.aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	buf = b.aead.Seal(buf, buf, []byte(plain), []byte(purpose))
	return prefix + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open reverses Seal for the same purpose; "" opens to "". A value without
// the prefix is ErrNotSealed; one sealed under another key or purpose, or
// altered in any byte, is ErrCannotOpen. Errors never contain the value.
func (b *Box) Open(sealed, purpose string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if b == nil || b.aead == nil {
		return "", errors.New("seal: no key")
	}
	switch {
	case !strings.HasPrefix(sealed, anyPrefix):
		return "", ErrNotSealed
	case !strings.HasPrefix(sealed, prefix):
		return "", fmt.Errorf("%w: unknown format version (sealed by a newer vigil?)", ErrCannotOpen)
	case len(sealed) > maxSealed:
		return "", fmt.Errorf("%w: longer than any sealed secret", ErrCannotOpen)
	}
	// Strict: one sealed value has one spelling.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(sealed[len(prefix):])
	if err != nil {
		return "", fmt.Errorf("%w: not base64url", ErrCannotOpen)
	}
	ns := b.aead.NonceSize()
	if len(raw) < ns+b.aead.Overhead() {
		return "", fmt.Errorf("%w: too short", ErrCannotOpen)
	}
	plain, err := b.aead.Open(nil, raw[:ns], raw[ns:], []byte(purpose))
	if err != nil {
		return "", ErrCannotOpen
	}
	return string(plain), nil
}

// IsSealed reports whether s looks like the output of Seal, of this or any
// other format version. The store uses it to keep sealed values out of
// the audit log without knowing which fields are secret.
func IsSealed(s string) bool { return strings.HasPrefix(s, anyPrefix) }
