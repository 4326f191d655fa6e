package checks

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// logMaxLine bounds one line: a longer one is cut here and counted as
	// one line, so a file without newlines cannot make the check hold more.
	logMaxLine = 64 << 10
	// logShownBytes bounds one matched line in the message.
	logShownBytes = 200
)

// lineSplitter cuts a stream of chunks into lines. A line whose newline
// has not been read yet is carried to the next chunk (and, in rolling
// mode, to the next run), up to max bytes.
type lineSplitter struct {
	max   int    // longest line kept; logMaxLine outside tests
	carry []byte // start of the line whose newline is still to come
	skip  bool   // the current line was cut at max: drop the rest up to its newline
}

// feed splits chunk into lines and calls line with each complete one,
// without its newline or a carriage return before it. line must not keep
// the slice.
func (s *lineSplitter) feed(chunk []byte, line func([]byte)) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			s.hold(chunk, line)
			return
		}
		seg := chunk[:i]
		chunk = chunk[i+1:]
		if s.skip {
			s.skip = false
			continue
		}
		if len(s.carry) > 0 {
			s.carry = append(s.carry, seg[:min(len(seg), s.max-len(s.carry))]...)
			seg = s.carry
		}
		line(trimCR(seg[:min(len(seg), s.max)]))
		s.release()
	}
}

// hold keeps the start of an unfinished line. Once it reaches max bytes
// it is passed on as a line, cut, and the rest of it will be dropped.
func (s *lineSplitter) hold(part []byte, line func([]byte)) {
	if s.skip {
		return
	}
	s.carry = append(s.carry, part[:min(len(part), s.max-len(s.carry))]...)
	if len(s.carry) >= s.max {
		line(trimCR(s.carry))
		s.release()
		s.skip = true
	}
}

// flush passes on an unfinished line as the last one: its file has ended
// for good (rotated away, truncated, or read whole).
func (s *lineSplitter) flush(line func([]byte)) {
	if len(s.carry) > 0 && !s.skip {
		line(trimCR(s.carry))
	}
	s.release()
	s.skip = false
}

// release empties the carry; a large buffer is dropped rather than kept
// for each watched file.
func (s *lineSplitter) release() {
	if cap(s.carry) > 4<<10 {
		s.carry = nil
		return
	}
	s.carry = s.carry[:0]
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// logMatch is one matched line as the message shows it.
type logMatch struct {
	path string
	text string
}

// logTally counts the lines of one run and keeps the first matched ones.
type logTally struct {
	match    logMatcher
	maxShown int
	path     string // file being read, for the lines it keeps

	lines, matches int
	bytes          int64
	shown          []logMatch
	matchPaths     map[string]bool // files with at least one match
	lastMatchPath  string          // the file of the latest match
}

// line counts one line and keeps it when it matches and there is room.
func (t *logTally) line(b []byte) {
	t.lines++
	if !t.match.match(b) {
		return
	}
	t.matches++
	if t.matchPaths == nil || t.path != t.lastMatchPath {
		if t.matchPaths == nil {
			t.matchPaths = map[string]bool{}
		}
		t.matchPaths[t.path] = true
		t.lastMatchPath = t.path
	}
	if len(t.shown) < t.maxShown {
		t.shown = append(t.shown, logMatch{path: t.path, text: shownLine(b)})
	}
}

// shownLine makes a log line safe and short for a message: spaces
// trimmed, at most logShownBytes of it, tabs as spaces, and control
// characters and broken UTF-8 replaced, so a hostile file cannot put
// terminal escapes or invalid text into results and notifications.
func shownLine(b []byte) string {
	b = bytes.TrimSpace(b)
	var sb strings.Builder
	sb.Grow(min(len(b), logShownBytes+utf8.UTFMax))
	for len(b) > 0 && sb.Len() <= logShownBytes {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == '\t':
			r = ' '
		case r == utf8.RuneError && size <= 1, unicode.IsControl(r):
			r = utf8.RuneError
		}
		sb.WriteRune(r)
		b = b[size:]
	}
	return cutText(sb.String(), logShownBytes)
}
