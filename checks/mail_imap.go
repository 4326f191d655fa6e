package checks

import (
	"math"
	"strconv"
	"strings"
	"time"
)

var imapProtocol = &mailProtocol{name: "imap", title: "IMAP", plainPort: "143", tlsPort: "993", session: imapSession}

// imapSession speaks IMAP4rev1 (RFC 3501): greeting, STARTTLS (tag a1),
// LOGIN (a2), LOGOUT (a3). No mailbox is opened.
func imapSession(r *mailRun) error {
	l := newMailLines(r.conn)
	began := time.Now()
	line, err := l.readLine()
	if err != nil {
		return mailFail("greeting: %s", r.netMsg(err))
	}
	kind, text, ok := imapUntagged(line)
	switch {
	case !ok || (kind != "OK" && kind != "PREAUTH" && kind != "BYE"):
		return mailFail("greeting: not an IMAP greeting: %s", quoteServerText(line))
	case kind == "BYE":
		return mailFail("greeting: server refused the connection: BYE %s", showServerText(text))
	}
	if err := r.greeted(began, line, kind+" "+showServerText(imapStripCode(text))); err != nil {
		return err
	}
	if r.mode == mailTLSStartTLS {
		began := time.Now()
		if err := imapCommand(l, "a1", "STARTTLS"); err != nil {
			return mailFail("starttls: %s", r.netMsg(err))
		}
		if l.buffered() {
			return mailFail("starttls: server sent data before the TLS handshake")
		}
		if err := r.handshake(began, "STARTTLS "); err != nil {
			return err
		}
		l = newMailLines(r.conn)
	}
	if r.c.s.Username != "" {
		if err := imapLogin(r, l, kind == "PREAUTH"); err != nil {
			return err
		}
	}
	_ = imapCommand(l, "a3", "LOGOUT")
	return nil
}

func imapLogin(r *mailRun, l *mailLines, preauth bool) error {
	if preauth {
		// The server authenticated the connection by itself (by address
		// or certificate); LOGIN is not allowed in that state.
		r.notes = append(r.notes, "preauthenticated, login skipped")
		return nil
	}
	if err := r.mayLogin(); err != nil {
		return err
	}
	began := time.Now()
	if err := imapCommand(l, "a2", "LOGIN", r.c.s.Username, r.c.s.Password); err != nil {
		return mailFail("login: %s", r.netMsg(err))
	}
	r.loggedIn(began)
	return nil
}

// imapCommand sends "tag verb args…", each argument as a quoted string or,
// when it holds bytes a quoted string cannot carry, a literal, and waits
// for the tagged reply: nil for OK, a failure quoting NO or BAD.
func imapCommand(l *mailLines, tag, verb string, args ...string) error {
	line := tag + " " + verb
	for _, a := range args {
		if q, ok := imapQuote(a); ok {
			line += " " + q
			continue
		}
		// A synchronizing literal: the server must invite the bytes.
		if err := l.writeLine(line + " {" + strconv.Itoa(len(a)) + "}"); err != nil {
			return err
		}
		if err := imapContinue(l, tag); err != nil {
			return err
		}
		line = a
	}
	if err := l.writeLine(line); err != nil {
		return err
	}
	status, text, err := imapReply(l, tag)
	if err != nil {
		return err
	}
	if status != "OK" {
		return mailFail("%s %s", status, showServerText(text))
	}
	return nil
}

// imapContinue waits for the "+" that invites a literal; a tagged reply
// instead is the server refusing the command.
func imapContinue(l *mailLines, tag string) error {
	for {
		line, err := l.readLine()
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "+") {
			return nil
		}
		if t, status, text, ok := imapTagged(line); ok && t == tag {
			return mailFail("%s %s", status, showServerText(text))
		}
		if err := imapSkipLiteral(l, line); err != nil {
			return err
		}
	}
}

// imapReply reads until the reply tagged tag and returns its status (OK,
// NO or BAD) and text. Untagged lines are skipped, with their literals; a
// BYE is reported if the server then hangs up.
func imapReply(l *mailLines, tag string) (status, text string, err error) {
	var bye string
	for {
		line, err := l.readLine()
		if err != nil {
			if bye != "" {
				return "", "", mailFail("server said BYE %s", showServerText(bye))
			}
			return "", "", err
		}
		if t, status, text, ok := imapTagged(line); ok && t == tag {
			return status, text, nil
		}
		if kind, text, ok := imapUntagged(line); ok && kind == "BYE" {
			bye = text
		}
		if err := imapSkipLiteral(l, line); err != nil {
			return "", "", err
		}
	}
}

// imapSkipLiteral discards the literal announced at the end of line
// ("… {42}"), so that its bytes are not taken for response lines.
func imapSkipLiteral(l *mailLines, line string) error {
	if n, ok := imapLiteralSize(line); ok {
		return l.discard(n)
	}
	return nil
}

// imapUntagged parses "* KIND text": kind in upper case.
func imapUntagged(line string) (kind, text string, ok bool) {
	rest, ok := strings.CutPrefix(line, "* ")
	if !ok {
		return "", "", false
	}
	kind, text, _ = strings.Cut(rest, " ")
	return strings.ToUpper(kind), text, kind != ""
}

// imapTagged parses "tag STATUS text" where STATUS is OK, NO or BAD.
func imapTagged(line string) (tag, status, text string, ok bool) {
	tag, rest, found := strings.Cut(line, " ")
	if !found || tag == "" || tag == "*" || tag == "+" {
		return "", "", "", false
	}
	status, text, _ = strings.Cut(rest, " ")
	status = strings.ToUpper(status)
	if status != "OK" && status != "NO" && status != "BAD" {
		return "", "", "", false
	}
	return tag, status, text, true
}

// imapLiteralSize returns n when line ends with a literal announcement
// "{n}" (or "{n+}", LITERAL+). A number too big to parse is returned as
// math.MaxInt64: it is still a literal, and more than the budget.
func imapLiteralSize(line string) (int64, bool) {
	body, ok := strings.CutSuffix(line, "}")
	if !ok {
		return 0, false
	}
	i := strings.LastIndexByte(body, '{')
	if i < 0 {
		return 0, false
	}
	digits := strings.TrimSuffix(body[i+1:], "+")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

// imapStripCode drops a leading response code such as "[CAPABILITY …]"
// from a response's text, for the message.
func imapStripCode(text string) string {
	if strings.HasPrefix(text, "[") {
		if i := strings.IndexByte(text, ']'); i >= 0 {
			return strings.TrimSpace(text[i+1:])
		}
	}
	return text
}

// imapQuote returns s as an IMAP quoted string, or ok false when s holds
// bytes a quoted string cannot carry (8-bit, NUL, CR, LF) and must be
// sent as a literal.
func imapQuote(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0 || c == '\r' || c == '\n' || c >= 0x80:
			return "", false
		case c == '"' || c == '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String(), true
}
