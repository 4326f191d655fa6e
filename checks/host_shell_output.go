package checks

import (
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a shell command's output may cost.
const (
	// shellCaptureBytes is how much output is kept for judging; the rest
	// is read and dropped so the command never blocks on a full pipe.
	shellCaptureBytes = 64 << 10
	// shellShownBytes is how much of the output the message shows.
	shellShownBytes = 300
)

// shellCapture keeps the first shellCaptureBytes read from the command
// and drops the rest. The command's stdout and stderr share the one pipe
// it reads, so both arrive in order.
type shellCapture struct {
	buf []byte
}

// readAll reads r to its end (or error), keeping what fits, so the
// command never blocks on a full pipe. The buffer grows with the output
// rather than starting at its bound: most commands print a line.
func (w *shellCapture) readAll(r io.Reader) {
	w.buf = make([]byte, 0, 512)
	for len(w.buf) < shellCaptureBytes {
		if len(w.buf) == cap(w.buf) {
			w.buf = slices.Grow(w.buf, min(cap(w.buf), shellCaptureBytes-len(w.buf)))
		}
		n, err := r.Read(w.buf[len(w.buf):min(cap(w.buf), shellCaptureBytes)])
		w.buf = w.buf[:len(w.buf)+n]
		if err != nil {
			return
		}
	}
	var discard [4096]byte
	for {
		if _, err := r.Read(discard[:]); err != nil {
			return
		}
	}
}

// shellMessage is the reasons that decided, then what the output said:
// "exit 2: CRITICAL - backup is 30 h old".
func shellMessage(reasons []string, out []byte) string {
	head := shellSummary([]byte(strings.Join(reasons, ", ")), shellShownBytes)
	body := shellSummary(out, shellShownBytes)
	if body == "" {
		body = "(no output)"
	}
	return head + ": " + body
}

// shellSummary turns output into one line of at most max bytes:
// white space runs become one space, control and invisible characters
// and broken UTF-8 become U+FFFD, and a cut is marked with "…".
func shellSummary(out []byte, max int) string {
	var b strings.Builder
	space := false
	for len(out) > 0 {
		r, n := utf8.DecodeRune(out)
		out = out[n:]
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == utf8.RuneError && n == 1, !unicode.IsPrint(r):
			r = utf8.RuneError
		}
		need := utf8.RuneLen(r)
		if space {
			need++
		}
		if b.Len()+need > max-len(shellCutMark) {
			b.WriteString(shellCutMark)
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shellCut cuts s to at most n bytes at a rune boundary, marking a cut
// with "…".
func shellCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + shellCutMark
}

// shellCutMark ends text that was cut short.
const shellCutMark = "…"
