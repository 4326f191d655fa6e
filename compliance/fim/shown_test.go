package fim

import (
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestShownPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/etc/passwd", "/etc/passwd"},
		{"/srv/www/données", "/srv/www/données"},
		{"/etc/systemd/system/dev-disk-by\\x2duuid.swap", "/etc/systemd/system/dev-disk-by\\x2duuid.swap"},
		{"/tmp/line\nbreak", "/tmp/line\nbreak"}, // valid UTF-8: the UI escapes control characters
		{"/tmp/bad\xffname", `/tmp/bad\xffname`},
		{"/tmp/bad\xff\\name", `/tmp/bad\xff\\name`},
		{`/tmp/looks\xffescaped`, `/tmp/looks\\xffescaped`}, // a literal lookalike is escaped too
		{`/tmp/looks\xFFescaped`, `/tmp/looks\\xFFescaped`},
		{`/tmp/ends\x8`, `/tmp/ends\x8`},
		{`/tmp/low\x7f`, `/tmp/low\x7f`},
	} {
		if got := ShownPath(tt.in); got != tt.want {
			t.Errorf("ShownPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzShownPathOneToOne: what is shown is valid UTF-8, which JSON
// carries, and reads back to the very bytes: no two paths are shown alike.
func FuzzShownPathOneToOne(f *testing.F) {
	for _, s := range []string{"/a\xff", `/a\xff`, `/a\\xff`, "/a\\\xff", `/x\x80`, "/x\x80", `/\x2d`, "\\", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		shown := ShownPath(path)
		if !utf8.ValidString(shown) {
			t.Fatalf("ShownPath(%q) = %q is not UTF-8", path, shown)
		}
		if back := unshow(t, shown); back != path {
			t.Fatalf("ShownPath(%q) = %q reads back as %q", path, shown, back)
		}
	})
}

// unshow reads a shown path back: as it is unless it holds a byte escape,
// else with its escapes undone. It fails the test on an escape ShownPath
// never writes.
func unshow(t *testing.T, s string) string {
	if !hasByteEscape(s) {
		return s
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]):
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, byte(v))
			i += 3
		default:
			t.Fatalf("%q: a lone backslash at %d in an escaped path", s, i)
		}
	}
	return string(out)
}
