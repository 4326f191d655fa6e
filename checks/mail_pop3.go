package checks

import (
	"strings"
	"time"
)

var pop3Protocol = &mailProtocol{name: "pop3", title: "POP3", plainPort: "110", tlsPort: "995", session: pop3Session}

// pop3Session speaks POP3 (RFC 1939, STLS from RFC 2595): greeting, STLS,
// USER and PASS, QUIT. No mailbox is read.
func pop3Session(r *mailRun) error {
	l := newMailLines(r.conn)
	began := time.Now()
	line, err := l.readLine()
	if err != nil {
		return mailFail("greeting: %s", r.netMsg(err))
	}
	if ok, isReply := pop3Status(line); !ok || !isReply {
		return mailFail("greeting: %s", pop3Refusal(line))
	}
	if err := r.greeted(began, line, showServerText(line)); err != nil {
		return err
	}
	if r.mode == mailTLSStartTLS {
		began := time.Now()
		if err := pop3Command(l, "STLS"); err != nil {
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
		if err := r.mayLogin(); err != nil {
			return err
		}
		began := time.Now()
		if err := pop3Command(l, "USER "+r.c.s.Username); err != nil {
			return mailFail("login: %s", r.netMsg(err))
		}
		if err := pop3Command(l, "PASS "+r.c.s.Password); err != nil {
			return mailFail("login: %s", r.netMsg(err))
		}
		r.loggedIn(began)
	}
	_ = pop3Command(l, "QUIT")
	return nil
}

// pop3Command sends cmd and reads its one-line reply: nil for +OK, a
// failure quoting the server for anything else.
func pop3Command(l *mailLines, cmd string) error {
	if err := l.writeLine(cmd); err != nil {
		return err
	}
	line, err := l.readLine()
	if err != nil {
		return err
	}
	if ok, isReply := pop3Status(line); !ok || !isReply {
		return mailFail("%s", pop3Refusal(line))
	}
	return nil
}

// pop3Status parses a reply line: ok for "+OK …", isReply false when the
// line is neither "+OK" nor "-ERR".
func pop3Status(line string) (ok, isReply bool) {
	word, _, _ := strings.Cut(line, " ")
	switch word {
	case "+OK":
		return true, true
	case "-ERR":
		return false, true
	}
	return false, false
}

// pop3Refusal words a reply that is not +OK: the server's own text for
// -ERR, a note that it is no POP3 reply otherwise.
func pop3Refusal(line string) string {
	if _, isReply := pop3Status(line); isReply {
		return showServerText(line)
	}
	return "not a POP3 reply: " + quoteServerText(line)
}
