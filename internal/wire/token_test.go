package wire

import (
	"strings"
	"testing"
)

func TestJoinTokenRoundTrip(t *testing.T) {
	tok := JoinToken{ID: "12", Secret: NewJoinSecret(), Fingerprint: strings.Repeat("ab", 32)}
	got, err := ParseJoinToken("  " + tok.String() + "\n")
	if err != nil || got != tok {
		t.Fatalf("ParseJoinToken(String()) = %+v, %v; want %+v", got, err, tok)
	}
	if upper, err := ParseJoinToken(strings.Replace(tok.String(), tok.Fingerprint, strings.ToUpper(tok.Fingerprint), 1)); err != nil || upper.Fingerprint != tok.Fingerprint {
		t.Errorf("upper-case fingerprint: %+v, %v", upper, err)
	}
}

func TestParseJoinTokenRefuses(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	secret := NewJoinSecret()
	for name, s := range map[string]string{
		"empty":           "",
		"wrong prefix":    "vgl2.1." + secret + "." + fp,
		"three parts":     "vgl1.1." + secret,
		"five parts":      "vgl1.1." + secret + "." + fp + ".x",
		"empty id":        "vgl1.." + secret + "." + fp,
		"short secret":    "vgl1.1.abc." + fp,
		"bad secret char": "vgl1.1." + secret[:20] + "!" + secret[21:] + "." + fp,
		"short print":     "vgl1.1." + secret + "." + fp[:62],
		"non-hex print":   "vgl1.1." + secret + "." + strings.Repeat("zz", 32),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseJoinToken(s)
			if err == nil {
				t.Fatal("accepted")
			}
			if secret != "" && strings.Contains(err.Error(), secret) {
				t.Error("the error echoes the secret")
			}
		})
	}
}

func FuzzParseJoinToken(f *testing.F) {
	f.Add("vgl1.1." + strings.Repeat("A", 43) + "." + strings.Repeat("0", 64))
	f.Add("vgl1...")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseJoinToken(s)
		if err != nil {
			return
		}
		again, err := ParseJoinToken(tok.String())
		if err != nil || again != tok {
			t.Fatalf("accepted %q but its String() %q does not parse back: %v", s, tok.String(), err)
		}
	})
}
