package fim

import (
	"strings"
	"unicode/utf8"
)

// ShownPath is a path (or symlink target) as reports carry it. Linux
// allows any bytes but "/" and NUL in a name; reports are JSON, which
// carries UTF-8 only. A path that is valid UTF-8 is shown as it is, unless
// it holds something that reads like an escape of a byte that is not
// (a backslash, "x", then two hex digits from 80 to ff); any other path is
// escaped whole: each backslash doubled and each byte that is not part of
// valid UTF-8 written as \xNN. So an escaped path always holds such a
// lookalike and an unescaped one never does, and the escape is one to
// one: two objects never share a shown path, and the server, which keeps
// its copy of a baseline by shown path, tells them apart as the agent
// does. Paths with backslashes that are not lookalikes (systemd's
// "dev-disk-by\x2duuid…" units) are left alone.
func ShownPath(s string) string {
	if utf8.ValidString(s) && !hasByteEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[s[0]>>4])
			b.WriteByte(hex[s[0]&15])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// hasByteEscape reports whether s holds `\x` and two hex digits from 80
// to ff, which is how ShownPath writes a byte that is not UTF-8.
func hasByteEscape(s string) bool {
	for {
		i := strings.Index(s, `\x`)
		if i < 0 || i+3 >= len(s) {
			return false
		}
		if isHex(s[i+2]) && s[i+2] >= '8' && isHex(s[i+3]) {
			return true
		}
		s = s[i+1:]
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
