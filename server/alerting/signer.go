package alerting

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// AckKeyFile is the name of the ack-link key inside the data directory.
const AckKeyFile = "ack.key"

// AckLinkTTL is how long a one-click acknowledgement link stays valid.
const AckLinkTTL = 7 * 24 * time.Hour

// Errors of Verify, checked with errors.Is. A bad signature and a link
// that was tampered with are the same error, so a guesser learns nothing.
var (
	ErrAckLinkInvalid = errors.New("this acknowledgement link is not valid")
	ErrAckLinkExpired = errors.New("this acknowledgement link has expired")
)

// Signer makes and checks signed one-click acknowledgement links. The key
// is its own (ack.key), not derived from the secrets key, so replacing it
// invalidates every link sent so far without touching sealed secrets.
type Signer struct {
	key       []byte
	publicURL string
}

// NewSigner returns a signer with key (at least 32 bytes) whose links
// start with publicURL ("https://vigil.example.com").
func NewSigner(key []byte, publicURL string) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("ack-link key has %d bytes, want at least 32", len(key))
	}
	return &Signer{key: append([]byte(nil), key...), publicURL: strings.TrimRight(publicURL, "/")}, nil
}

// LoadSigner reads the key <dataDir>/ack.key, creating it on first start
// (32 random bytes, mode 0600, written to a temporary file, synced and
// renamed so a crash never leaves half a key). A key of the wrong size or
// a file that others can read is an error naming the file.
func LoadSigner(dataDir, publicURL string) (*Signer, error) {
	path := filepath.Join(dataDir, AckKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("ack-link key %s: %w", path, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("ack-link key %s: has %d bytes, want 32 (delete it to make a new one; links sent so far stop working)", path, len(key))
	}
	if err := checkKeyMode(path); err != nil {
		return nil, err
	}
	return NewSigner(key, publicURL)
}

func createKeyFile(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), AckKeyFile+".tmp*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return key, nil
}

// checkKeyMode refuses a key that group or others may read: whoever reads
// it can acknowledge any incident.
func checkKeyMode(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("ack-link key %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("ack-link key %s: mode %04o lets others read it; run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return nil
}

// Link returns the one-click acknowledgement link for contact to
// acknowledge incident, valid until expires:
// PUBLICURL/ack/{incident}?c={contact}&e={unix}&s={signature}.
func (s *Signer) Link(incidentID, contactID string, expires time.Time) string {
	e := strconv.FormatInt(expires.Unix(), 10)
	q := url.Values{"c": {contactID}, "e": {e}, "s": {s.sign(incidentID, contactID, e)}}
	return s.publicURL + "/ack/" + url.PathEscape(incidentID) + "?" + q.Encode()
}

// Verify checks a link's parts as they came in the request (the incident
// from the path; c, e and s from the query) and returns the contact it was
// made for. The signature is compared in constant time before the expiry,
// so an expired forgery says "not valid", not "expired".
func (s *Signer) Verify(incidentID string, q url.Values, now time.Time) (contactID string, err error) {
	contactID, e, sig := q.Get("c"), q.Get("e"), q.Get("s")
	want := s.sign(incidentID, contactID, e)
	if incidentID == "" || e == "" || !hmac.Equal([]byte(sig), []byte(want)) {
		return "", ErrAckLinkInvalid
	}
	unix, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return "", ErrAckLinkInvalid
	}
	if !now.Before(time.Unix(unix, 0)) {
		return "", ErrAckLinkExpired
	}
	return contactID, nil
}

// sign is base64url(HMAC-SHA256(key, "vigil-ack\x00" incident \x00 contact
// \x00 expires)): the separators keep ("1","23") and ("12","3") apart.
func (s *Signer) sign(incidentID, contactID, expires string) string {
	mac := hmac.New(sha256.New, s.key)
	for _, part := range []string{"vigil-ack", incidentID, contactID, expires} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
