package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// mailFuzzConn is a connection whose server sends fixed bytes and swallows
// whatever the client writes.
type mailFuzzConn struct{ r *bytes.Reader }

func (c mailFuzzConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c mailFuzzConn) Write(p []byte) (int, error) { return len(p), nil }
func (c mailFuzzConn) Close() error                { return nil }
func (c mailFuzzConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c mailFuzzConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 110}
}
func (c mailFuzzConn) SetDeadline(time.Time) error      { return nil }
func (c mailFuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (c mailFuzzConn) SetWriteDeadline(time.Time) error { return nil }

var mailFuzzProtocols = []*mailProtocol{smtpProtocol, pop3Protocol, imapProtocol}

// FuzzMailSession plays arbitrary server bytes to each protocol's client:
// it must not panic, must stay within the read budget, and must produce
// a message that is valid UTF-8 without control characters.
func FuzzMailSession(f *testing.F) {
	seeds := []string{
		"220 mx.test ESMTP\r\n250-mx.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n250 ok\r\n235 ok\r\n221 bye\r\n",
		"220-a\r\n220 b\r\n250 mx\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 no\r\n",
		"+OK ready\r\n+OK\r\n+OK logged in\r\n+OK bye\r\n",
		"+OK ready\r\n+OK\r\n-ERR [AUTH] Authentication failed.\r\n",
		"* OK [CAPABILITY IMAP4rev1] ready\r\na2 OK logged in\r\n* BYE\r\na3 OK\r\n",
		"* OK ready\r\n+ go\r\n* 1 FETCH {5}\r\nabcde\r\na2 NO [AUTHENTICATIONFAILED] no\r\n",
		"* PREAUTH hi\r\n* BYE x\r\n",
		"* OK x {99999999999999999999}\r\n",
	}
	for i, s := range seeds {
		f.Add(byte(i%3), i%2 == 0, []byte(s))
	}
	f.Fuzz(func(t *testing.T, which byte, starttls bool, server []byte) {
		p := mailFuzzProtocols[int(which)%len(mailFuzzProtocols)]
		// The password has a non-ASCII letter so IMAP sends a literal.
		c, err := newMailChecker(p, json.RawMessage(`{"tls":"none","username":"u","password":"pä","allow_plaintext_login":true,"expect_banner":"ready"}`))
		if err != nil {
			t.Fatal(err)
		}
		mc := c.(*mailChecker)
		r := &mailRun{ctx: context.Background(), c: mc, host: "127.0.0.1", mode: mailTLSNone,
			start: time.Now(), values: map[string]float64{}, status: StatusOK}
		if starttls {
			r.mode = mailTLSStartTLS
		}
		r.raw = newMailConn(mailFuzzConn{bytes.NewReader(server)})
		r.conn = r.raw
		var res Result
		if err := p.session(r); err != nil {
			res = r.failed(err)
		} else {
			res = r.result()
		}
		if r.raw.left < 0 {
			t.Fatalf("read %d bytes past the budget", -r.raw.left)
		}
		if !utf8.ValidString(res.Message) || strings.ContainsFunc(res.Message, func(r rune) bool { return r < 0x20 }) {
			t.Fatalf("message %q", res.Message)
		}
		if !res.Status.Valid() {
			t.Fatalf("status %q", res.Status)
		}
	})
}

// FuzzIMAPParsers checks the IMAP response parsers and the quoting of
// arguments on arbitrary lines.
func FuzzIMAPParsers(f *testing.F) {
	for _, s := range []string{"a2 OK done", "* OK [CAPABILITY IMAP4rev1] ready", "* 1 FETCH {42}", "x {7+}", `q"u\o te`, "pä", "+ go", "{}", "a1 no"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if tag, status, _, ok := imapTagged(line); ok && (tag == "" || tag == "*" || (status != "OK" && status != "NO" && status != "BAD")) {
			t.Fatalf("imapTagged(%q): tag %q status %q", line, tag, status)
		}
		if kind, _, ok := imapUntagged(line); ok && kind == "" {
			t.Fatalf("imapUntagged(%q): empty kind", line)
		}
		if n, ok := imapLiteralSize(line); ok && n < 0 {
			t.Fatalf("imapLiteralSize(%q) = %d", line, n)
		}
		_ = imapStripCode(line)
		if q, ok := imapQuote(line); ok {
			if !strings.HasPrefix(q, `"`) || !strings.HasSuffix(q, `"`) || len(q) < 2 || strings.ContainsAny(q, "\r\n\x00") {
				t.Fatalf("imapQuote(%q) = %q", line, q)
			}
			if unq := imapUnquoteForTest(q); unq != line {
				t.Fatalf("imapQuote(%q) = %q, reads back as %q", line, q, unq)
			}
		}
		_, _ = pop3Status(line)
		_, _ = smtpGreeting([]byte(line))
	})
}

// imapUnquoteForTest reads a quoted string back, as a server would.
func imapUnquoteForTest(q string) string {
	var b strings.Builder
	for i := 1; i < len(q)-1; i++ {
		if q[i] == '\\' {
			i++
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// FuzzMailLines: whatever arrives, a line read is at most mailMaxLine
// bytes and holds no line end.
func FuzzMailLines(f *testing.F) {
	f.Add([]byte("+OK a\r\n-ERR b\nc"))
	f.Add(bytes.Repeat([]byte("x"), mailMaxLine+10))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := newMailLines(mailFuzzConn{bytes.NewReader(data)})
		for range 1000 {
			line, err := l.readLine()
			if err != nil {
				return
			}
			if len(line) > mailMaxLine || strings.ContainsAny(line, "\n") {
				t.Fatalf("line of %d bytes: %q", len(line), line[:min(len(line), 40)])
			}
		}
	})
}
