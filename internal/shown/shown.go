// Package shown writes text so that what a person reads is what it holds:
// control characters (a newline, an escape) and invisible formatting ones
// (zero-width spaces, right-to-left overrides that can make "exe.txt"
// read as "txt.exe") become Go escapes, \n, \x1b, \u202e. Everything
// else, other scripts included, is left as it is. The web UI shows file
// names this way (with its own copy: ui imports nothing of ours), and the
// store's change filter matches what it shows.
package shown

import (
	"strconv"
	"strings"
	"unicode"
)

// Name is s with every hidden rune escaped, newlines included: for file
// names, paths and one-line values.
func Name(s string) string { return escape(s, hidden) }

// Text is Name for text that may span lines (an audit value such as a
// body template): newlines and tabs stay.
func Text(s string) string {
	return escape(s, func(r rune) bool { return r != '\n' && r != '\t' && hidden(r) })
}

// escape writes the runes esc says so of as Go escapes.
func escape(s string, esc func(rune) bool) string {
	if !strings.ContainsFunc(s, esc) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !esc(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r) // e.g. '\n', '\x1b', '\u202e'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// hidden reports whether r shows as something other than itself: a
// control character or a format character (Unicode category Cf).
func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
