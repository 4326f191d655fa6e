package auth

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewSetupCode(t *testing.T) {
	shape := regexp.MustCompile(`^[` + codeAlphabet + `]{4}-[` + codeAlphabet + `]{4}-[` + codeAlphabet + `]{4}$`)
	counts := map[rune]int{}
	seen := map[string]bool{}
	const n = 2000
	for range n {
		c := NewSetupCode()
		if !shape.MatchString(c) {
			t.Fatalf("code %q does not have the shape XXXX-XXXX-XXXX", c)
		}
		if seen[c] {
			t.Fatalf("code %q repeated", c)
		}
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			counts[r]++
		}
	}
	// Every character appears: a broken alphabet index would leave some out.
	if len(counts) != len(codeAlphabet) {
		t.Fatalf("%d distinct characters in %d codes, want %d", len(counts), n, len(codeAlphabet))
	}
}

func TestCompareCode(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"same", "K7QM-XR4T-9HWD", "K7QM-XR4T-9HWD", true},
		{"lower case", "K7QM-XR4T-9HWD", "k7qm-xr4t-9hwd", true},
		{"no dashes", "K7QM-XR4T-9HWD", "K7QMXR4T9HWD", true},
		{"spaces", "K7QM-XR4T-9HWD", " k7qm xr4t 9hwd\n", true},
		{"one character off", "K7QM-XR4T-9HWD", "K7QM-XR4T-9HWE", false},
		{"shorter", "K7QM-XR4T-9HWD", "K7QM-XR4T", false},
		{"empty input", "K7QM-XR4T-9HWD", "", false},
		{"only dashes", "K7QM-XR4T-9HWD", "- -", false},
		{"both empty", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CompareCode(tc.a, tc.b); got != tc.want {
				t.Fatalf("CompareCode(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
