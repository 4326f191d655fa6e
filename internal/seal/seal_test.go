package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testBox(t testing.TB, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := testBox(t, 1)
	for _, plain := range []string{"x", "hunter2", "ünïcödé ✓", strings.Repeat("a", MaxPlain), "with\x00nul"} {
		sealed, err := b.Seal(plain, "smtp.password")
		if err != nil {
			t.Fatalf("seal %d bytes: %v", len(plain), err)
		}
		if !strings.HasPrefix(sealed, "sealed:v1:") || !IsSealed(sealed) {
			t.Fatalf("sealed value %.40q lacks the prefix", sealed)
		}
		if len(plain) > 4 && strings.Contains(sealed, plain) {
			t.Fatalf("sealed value contains the plain text")
		}
		got, err := b.Open(sealed, "smtp.password")
		if err != nil || got != plain {
			t.Fatalf("open = %.40q, %v; want %.40q", got, err, plain)
		}
	}
}

func TestSealFreshNonce(t *testing.T) {
	b := testBox(t, 1)
	x, _ := b.Seal("same", "p")
	y, _ := b.Seal("same", "p")
	if x == y {
		t.Fatal("sealing the same value twice gave the same output: the nonce is not fresh")
	}
}

func TestSealEmpty(t *testing.T) {
	b := testBox(t, 1)
	if s, err := b.Seal("", "p"); s != "" || err != nil {
		t.Fatalf("Seal(\"\") = %q, %v; want \"\", nil", s, err)
	}
	if s, err := b.Open("", "p"); s != "" || err != nil {
		t.Fatalf("Open(\"\") = %q, %v; want \"\", nil", s, err)
	}
	if IsSealed("") {
		t.Fatal(`IsSealed("") = true`)
	}
}

func TestSealTooLong(t *testing.T) {
	if _, err := testBox(t, 1).Seal(strings.Repeat("a", MaxPlain+1), "p"); err == nil {
		t.Fatal("a secret over MaxPlain was sealed")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := testBox(t, 1)
	good, err := b.Seal("the-secret-value", "contact.auth_token")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good, prefix))
	flip := func(i int) string {
		c := bytes.Clone(raw)
		c[i] ^= 1
		return prefix + base64.RawURLEncoding.EncodeToString(c)
	}
	tests := []struct {
		name    string
		box     *Box
		value   string
		purpose string
		want    error
	}{
		{"plain text", b, "the-secret-value", "contact.auth_token", ErrNotSealed},
		{"wrong purpose", b, good, "smtp.password", ErrCannotOpen},
		{"wrong key", testBox(t, 2), good, "contact.auth_token", ErrCannotOpen},
		{"nonce altered", b, flip(0), "contact.auth_token", ErrCannotOpen},
		{"ciphertext altered", b, flip(len(raw) / 2), "contact.auth_token", ErrCannotOpen},
		{"tag altered", b, flip(len(raw) - 1), "contact.auth_token", ErrCannotOpen},
		{"truncated", b, good[:len(good)-4], "contact.auth_token", ErrCannotOpen},
		{"prefix only", b, prefix, "contact.auth_token", ErrCannotOpen},
		{"not base64", b, prefix + "!!!!", "contact.auth_token", ErrCannotOpen},
		{"padded base64", b, good + "==", "contact.auth_token", ErrCannotOpen},
		{"other version", b, "sealed:v9:" + strings.TrimPrefix(good, prefix), "contact.auth_token", ErrCannotOpen},
		{"huge", b, prefix + strings.Repeat("A", maxSealed), "contact.auth_token", ErrCannotOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.value, tt.purpose)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open = %q, %v; want %v", got, err, tt.want)
			}
			if got != "" {
				t.Fatalf("Open returned %q with an error", got)
			}
			if len(tt.value) > len(prefix)+3 && strings.Contains(err.Error(), tt.value[len(prefix):]) ||
				strings.Contains(err.Error(), "the-secret-value") {
				t.Fatalf("error echoes the value: %v", err)
			}
		})
	}
}

func TestNewKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New with a %d-byte key succeeded", n)
		}
	}
}

func TestNilBox(t *testing.T) {
	var b *Box
	if _, err := b.Seal("x", "p"); err == nil {
		t.Error("nil Box sealed a value")
	}
	if _, err := b.Open(prefix+"AAAA", "p"); err == nil {
		t.Error("nil Box opened a value")
	}
}
