package shown

import "testing"

func TestNameAndText(t *testing.T) {
	for _, tt := range []struct{ in, name, text string }{
		{"/etc/passwd", "/etc/passwd", "/etc/passwd"},
		{"/srv/données/é.html", "/srv/données/é.html", "/srv/données/é.html"},
		{"/tmp/line\nbreak\ttab", `/tmp/line\nbreak\ttab`, "/tmp/line\nbreak\ttab"},
		{"/tmp/esc\x1b[31m", `/tmp/esc\x1b[31m`, `/tmp/esc\x1b[31m`},
		{"/tmp/invoice\u202etxt.exe", `/tmp/invoice\u202etxt.exe`, `/tmp/invoice\u202etxt.exe`},
		{"/tmp/zero\u200bwidth", `/tmp/zero\u200bwidth`, `/tmp/zero\u200bwidth`},
	} {
		if got := Name(tt.in); got != tt.name {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.name)
		}
		if got := Text(tt.in); got != tt.text {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
		}
	}
}
