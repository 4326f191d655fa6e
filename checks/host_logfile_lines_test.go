package checks

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestLineSplitter(t *testing.T) {
	cases := []struct {
		name   string
		chunks []string
		lines  []string // complete lines, then what flush adds after "|"
	}{
		{"lines", []string{"a\nb\n"}, []string{"a", "b", "|"}},
		{"across chunks", []string{"ab", "c\nd"}, []string{"abc", "|", "d"}},
		{"empty lines", []string{"\n\n"}, []string{"", "", "|"}},
		{"crlf", []string{"a\r\nb\r", "\n"}, []string{"a", "b", "|"}},
		{"lone cr kept inside", []string{"a\rb\n"}, []string{"a\rb", "|"}},
		{"exactly max", []string{"abcd\n"}, []string{"abcd", "|"}},
		{"long line cut once", []string{"abcdefg\nh\n"}, []string{"abcd", "h", "|"}},
		{"long line over chunks", []string{"ab", "cdef", "gh\nx\n"}, []string{"abcd", "x", "|"}},
		{"carry plus long tail", []string{"ab", "cdefgh\n"}, []string{"abcd", "|"}},
		{"long unfinished line", []string{"abcdefgh"}, []string{"abcd", "|"}},
		{"unfinished short line", []string{"ab", "c"}, []string{"|", "abc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := lineSplitter{max: 4}
			var got []string
			add := func(b []byte) { got = append(got, string(b)) }
			for _, c := range tc.chunks {
				s.feed([]byte(c), add)
			}
			got = append(got, "|")
			s.flush(add)
			if strings.Join(got, "\n") != strings.Join(tc.lines, "\n") {
				t.Fatalf("got %q, want %q", got, tc.lines)
			}
		})
	}
}

// FuzzLineSplitter cuts data into chunks of step bytes: the lines must
// be those of splitting the whole at once, each cut to max bytes.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\r\nccc"), uint8(1), uint8(2))
	f.Add([]byte("long line here\n\nx"), uint8(3), uint8(4))
	f.Add(bytes.Repeat([]byte{0xff, '\r'}, 40), uint8(7), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, step, maxLine uint8) {
		max := int(maxLine%64) + 1
		chunk := int(step%32) + 1
		s := lineSplitter{max: max}
		var got [][]byte
		add := func(b []byte) {
			if len(b) > max {
				t.Fatalf("line of %d bytes, max %d", len(b), max)
			}
			got = append(got, bytes.Clone(b))
		}
		for i := 0; i < len(data); i += chunk {
			s.feed(data[i:min(i+chunk, len(data))], add)
		}
		s.flush(add)
		var want [][]byte
		parts := bytes.Split(data, []byte{'\n'})
		for i, p := range parts {
			if i == len(parts)-1 && len(p) == 0 {
				break // nothing after the last newline
			}
			want = append(want, trimCR(p[:min(len(p), max)]))
		}
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d: %q vs %q", len(got), len(want), got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d = %q, want %q", i, got[i], want[i])
			}
		}
		if cap(s.carry) > 4<<10 && cap(s.carry) > max {
			t.Fatalf("holding %d bytes after flush", cap(s.carry))
		}
	})
}

// FuzzLogLines runs arbitrary file content through the splitter, every
// stock pattern and the message: no panic, a line count that adds up,
// and a message that fits and is clean text.
func FuzzLogLines(f *testing.F) {
	for _, p := range StockLogPatterns {
		f.Add([]byte(p.Regex+"\n"+p.Name+"\r\n"), uint8(5))
	}
	f.Add([]byte("203.0.113.9 - - [23/Nov/2026:08:00:01 +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"-\"\n\x1b[2J\xff\n"), uint8(50))
	f.Fuzz(func(t *testing.T, data []byte, maxShown uint8) {
		for _, p := range StockLogPatterns {
			tally := logTally{match: stockLogMatchers[p.Name], maxShown: int(maxShown%50) + 1, path: "/var/log/x.log"}
			s := lineSplitter{max: logMaxLine}
			s.feed(data, tally.line)
			s.flush(tally.line)
			if want := bytes.Count(data, []byte{'\n'}); tally.lines < want || tally.lines > want+1 {
				t.Fatalf("%d lines for %d newlines", tally.lines, want)
			}
			c := &logfileChecker{s: logfileSettings{Mode: "rolling", ProblemCount: 1}}
			r := c.result(time.Now(), "/var/log/x.log", &tally, &logRun{files: 1, lastPath: "/var/log/x.log"})
			wantCleanMessage(t, r.Message)
		}
	})
}

func TestShownLine(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	cases := []struct{ name, in, want string }{
		{"trimmed", "  \tFailed password for root\r\n", "Failed password for root"},
		{"tab inside", "a\tb", "a b"},
		{"escape sequence", "red \x1b[31malert", "red \uFFFD[31malert"},
		{"broken utf-8", "a\xffb", "a\uFFFDb"},
		{"nul", "a\x00b", "a\uFFFDb"},
		{"long cut on a character", long, strings.Repeat("é", 98) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := shownLine([]byte(tc.in))
			if got != tc.want || len(got) > logShownBytes {
				t.Fatalf("got %q (%d bytes), want %q", got, len(got), tc.want)
			}
		})
	}
}

func TestLogMessage(t *testing.T) {
	line := strings.Repeat("x", 190)
	many := func(n int, prefix string) []logMatch {
		out := make([]logMatch, n)
		for i := range out {
			out[i] = logMatch{path: prefix + strconv.Itoa(i%3) + ".log", text: strconv.Itoa(i) + " " + line}
		}
		return out
	}
	manyNotes := make([]string, 40)
	for i := range manyNotes {
		manyNotes[i] = "/var/log/app/" + strconv.Itoa(i) + ".log: permission denied"
	}
	cases := []struct {
		name    string
		head    string
		shown   []logMatch
		prefix  bool
		matches int
		notes   []string
		prefixW string // the message starts with this
		suffixW string // and ends with this
	}{
		{"short", "2 matches in /var/log/a.log", []logMatch{{"", "one"}, {"", "two"}}, false, 2, nil,
			"2 matches in /var/log/a.log: one | two", "two"},
		{"more than shown", "9 matches in /a", []logMatch{{"", "one"}}, false, 9, nil,
			"9 matches in /a: one … and 8 more", "and 8 more"},
		{"fit to the room", "50 matches in /a", many(50, "/a"), false, 50, []string{"a note"},
			"50 matches in /a: 0 xxx", " more; a note"},
		{"prefixed paths", "3 matches in 2 files", []logMatch{{"/a.log", "one"}, {"/b.log", "two"}, {"/b.log", "three"}}, true, 3, nil,
			"3 matches in 2 files: /a.log: one | /b.log: two | /b.log: three", "three"},
		{"notes counted", "1 match in /a", []logMatch{{"", "one"}}, false, 1, manyNotes,
			"1 match in /a: one; /var/log/app/0.log: permission denied; ", " more"},
		{"notes only", "", nil, false, 0, []string{"/a: permission denied", "/b: permission denied"},
			"/a: permission denied; /b: permission denied", "denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := logMessage(tc.head, tc.shown, tc.prefix, tc.matches, tc.notes)
			if !strings.HasPrefix(got, tc.prefixW) || !strings.HasSuffix(got, tc.suffixW) {
				t.Fatalf("got %q,\nwant %q … %q", got, tc.prefixW, tc.suffixW)
			}
			wantCleanMessage(t, got)
			// Every match is either quoted or counted.
			if tc.matches > 0 {
				quoted := strings.Count(got, " | ") + 1
				more := 0
				if i := strings.Index(got, " … and "); i >= 0 {
					more, _ = strconv.Atoi(strings.Fields(got[i+len(" … and "):])[0])
				}
				if quoted+more != tc.matches {
					t.Fatalf("%d quoted and %d more, want %d matches: %q", quoted, more, tc.matches, got)
				}
			}
		})
	}
}

// wantCleanMessage fails unless m fits a result and is clean text.
func wantCleanMessage(t *testing.T, m string) {
	t.Helper()
	if len(m) > logMessageBytes || !utf8.ValidString(m) || strings.IndexFunc(m, unicode.IsControl) >= 0 {
		t.Fatalf("message of %d bytes is not clean: %q", len(m), m)
	}
}

func TestStockLogPatternsCompiled(t *testing.T) {
	names := map[string]bool{}
	for _, p := range StockLogPatterns {
		if names[p.Name] || stockLogMatchers[p.Name].re == nil || !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(p.Name) {
			t.Errorf("stock pattern %q: duplicate, not compiled, or not a setting value", p.Name)
		}
		names[p.Name] = true
	}
}
