package seal

import (
	"bytes"
	"testing"
)

// FuzzOpen feeds Open arbitrary values: it must never panic, never
// return a plain text with an error, and only open what Seal made for the
// same purpose.
func FuzzOpen(f *testing.F) {
	b, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := b.Seal("secret", "p")
	for _, s := range []string{"", "x", prefix, prefix + "AAAA", good, good[:len(good)-1], "sealed:v2:AAAA", "sealed:"} {
		f.Add(s, "p")
	}
	f.Fuzz(func(t *testing.T, sealed, purpose string) {
		plain, err := b.Open(sealed, purpose)
		if err != nil && plain != "" {
			t.Fatalf("Open returned %q with error %v", plain, err)
		}
		if err == nil && sealed != "" && (purpose != "p" || plain != "secret") {
			// Only the seeds Seal made open (each worker seals its own,
			// so compare what they hold, not the text): forging a GCM
			// tag is not a fuzzer's job, any other value that opens is a
			// bug.
			t.Fatalf("Open(%q, %q) = %q without an error", sealed, purpose, plain)
		}
	})
}
