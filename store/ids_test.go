package store

import (
	"bytes"
	"testing"
)

func TestIDKey(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"1", true}, {"17", true}, {"18446744073709551615", true},
		{"", false}, {"0", false}, {"017", false}, {"+1", false}, {"-1", false},
		{"1.0", false}, {" 1", false}, {"18446744073709551616", false}, {"abc", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			k, ok := idKey(tc.id)
			if ok != tc.ok {
				t.Fatalf("idKey(%q) ok = %v, want %v", tc.id, ok, tc.ok)
			}
			if ok && keyID(k) != tc.id {
				t.Fatalf("keyID(idKey(%q)) = %q", tc.id, keyID(k))
			}
		})
	}
	// Keys sort like the numbers, which string ids do not.
	a, _ := idKey("9")
	b, _ := idKey("10")
	if bytes.Compare(a, b) >= 0 {
		t.Fatal("key of 9 does not sort before key of 10")
	}
}
