package alerting

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAckLink(t *testing.T) {
	s, err := NewSigner(bytes.Repeat([]byte{1}, 32), "https://vigil.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	link := s.Link("42", "7", now.Add(AckLinkTTL))
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "vigil.example.com" || u.Path != "/ack/42" {
		t.Fatalf("link %s: want https://vigil.example.com/ack/42?…", link)
	}
	q := u.Query()
	if q.Get("c") != "7" || q.Get("e") != "1800604800" || len(q.Get("s")) != 43 {
		t.Fatalf("link query %v", q)
	}
	if c, err := s.Verify("42", q, now); err != nil || c != "7" {
		t.Fatalf("verify a fresh link = %q, %v", c, err)
	}
	other, _ := NewSigner(bytes.Repeat([]byte{2}, 32), "https://vigil.example.com")
	with := func(k, v string) url.Values {
		c := url.Values{}
		for key, vals := range q {
			c[key] = append([]string(nil), vals...)
		}
		c.Set(k, v)
		return c
	}
	for _, tc := range []struct {
		name     string
		s        *Signer
		incident string
		q        url.Values
		now      time.Time
		want     error
	}{
		{"other incident", s, "43", q, now, ErrAckLinkInvalid},
		{"other contact", s, "42", with("c", "8"), now, ErrAckLinkInvalid},
		{"later expiry", s, "42", with("e", "1900000000"), now, ErrAckLinkInvalid},
		{"tampered signature", s, "42", with("s", strings.Repeat("A", 43)), now, ErrAckLinkInvalid},
		{"no signature", s, "42", with("s", ""), now, ErrAckLinkInvalid},
		{"other key", other, "42", q, now, ErrAckLinkInvalid},
		{"expired", s, "42", q, now.Add(AckLinkTTL), ErrAckLinkExpired},
		{"split differently", s, "4", with("c", "27"), now, ErrAckLinkInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.s.Verify(tc.incident, tc.q, tc.now); !errors.Is(err, tc.want) {
				t.Errorf("verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadSigner(t *testing.T) {
	dir := t.TempDir()
	s1, err := LoadSigner(dir, "https://v.test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, AckKeyFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != 32 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	s2, err := LoadSigner(dir, "https://v.test")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	u, _ := url.Parse(s1.Link("1", "2", now.Add(time.Hour)))
	if _, err := s2.Verify("1", u.Query(), now); err != nil {
		t.Errorf("a link made before a restart does not verify after it: %v", err)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigner(dir, ""); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("world-readable key: %v, want an error naming %s", err, path)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigner(dir, ""); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("short key: %v, want an error saying its size", err)
	}
}

func TestBackoff(t *testing.T) {
	for n, base := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 7: 320 * time.Second, 8: retryCap, 19: retryCap, 60: retryCap} {
		for range 50 {
			got := backoff(n)
			if got < base*9/10 || got > min(base*11/10, retryCap) {
				t.Fatalf("backoff(%d) = %s, want %s ±10%% and at most %s", n, got, base, retryCap)
			}
		}
	}
}
