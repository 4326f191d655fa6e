package checks

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
)

// Limits on what a mail server may send in one check run. A hostile or
// broken server cannot make the checker hold more than mailReadBudget
// bytes, whatever it sends: the budget counts raw bytes off the socket,
// TLS records included, so it also bounds net/smtp, whose line reader has
// no limit of its own.
const (
	mailReadBudget = 256 << 10 // all bytes read in one run
	mailMaxLine    = 8 << 10   // one POP3 or IMAP response line
	mailTapLimit   = 4 << 10   // the SMTP greeting kept for expect_banner
)

var (
	errMailBudget   = fmt.Errorf("server sent more than %d KiB", mailReadBudget>>10)
	errMailLongLine = fmt.Errorf("server sent a line longer than %d KiB", mailMaxLine>>10)
)

// mailConn is the raw connection with a read budget.
type mailConn struct {
	net.Conn
	left int
}

func newMailConn(c net.Conn) *mailConn { return &mailConn{Conn: c, left: mailReadBudget} }

// Read reads at most what is left of the budget, then fails.
func (c *mailConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errMailBudget
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= n
	return n, err
}

// mailTap records the first bytes read through it while on, so the SMTP
// greeting that net/smtp reads and discards can be shown and matched.
type mailTap struct {
	net.Conn
	on  bool
	buf []byte
}

func (t *mailTap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if t.on {
		room := min(n, mailTapLimit-len(t.buf))
		t.buf = append(t.buf, p[:max(room, 0)]...)
	}
	return n, err
}

// mailLines reads CRLF-terminated lines of bounded length and writes
// commands, for the POP3 and IMAP clients.
type mailLines struct {
	r *bufio.Reader
	w io.Writer
}

func newMailLines(c io.ReadWriter) *mailLines {
	return &mailLines{r: bufio.NewReaderSize(c, 4096), w: c}
}

// readLine returns the next line without its line end. A line longer
// than mailMaxLine is an error: nothing is kept of it beyond the limit.
func (l *mailLines) readLine() (string, error) {
	var line []byte
	for {
		chunk, err := l.r.ReadSlice('\n')
		if len(line)+len(chunk) > mailMaxLine+2 {
			return "", errMailLongLine
		}
		line = append(line, chunk...)
		if err == nil {
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			if len(line) > mailMaxLine {
				return "", errMailLongLine
			}
			return string(line), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				return "", fmt.Errorf("connection closed in the middle of a line (got %s)", preview(line))
			}
			return "", errors.New("connection closed by the server")
		}
		return "", err
	}
}

// discard skips n bytes (an IMAP literal) without keeping them.
func (l *mailLines) discard(n int64) error {
	if n > mailReadBudget {
		return errMailBudget
	}
	if _, err := l.r.Discard(int(n)); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("connection closed by the server")
		}
		return err
	}
	return nil
}

// writeLine sends one command line with CRLF.
func (l *mailLines) writeLine(s string) error {
	_, err := io.WriteString(l.w, s+"\r\n")
	return err
}

// buffered reports whether the server sent bytes that were not read yet:
// after a STARTTLS answer that is a plain-text injection attempt.
func (l *mailLines) buffered() bool { return l.r.Buffered() > 0 }
