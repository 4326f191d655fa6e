package checks

import (
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"
)

var smtpProtocol = &mailProtocol{name: "smtp", title: "SMTP", plainPort: "25", tlsPort: "465", session: smtpSession}

// smtpSession speaks SMTP through net/smtp: greeting, EHLO, STARTTLS,
// AUTH PLAIN or LOGIN, QUIT. No mail is sent.
func smtpSession(r *mailRun) error {
	// net/smtp reads the greeting and keeps only its code: the tap keeps
	// its text for the message and expect_banner.
	tap := &mailTap{Conn: r.conn, on: true}
	began := time.Now()
	client, err := smtp.NewClient(tap, r.host)
	tap.on = false
	if err != nil {
		return mailFail("greeting: %s", smtpErrorMessage(r, err))
	}
	defer client.Close()
	full, shown := smtpGreeting(tap.buf)
	if err := r.greeted(began, full, shown); err != nil {
		return err
	}
	// Hello only records the name; Noop makes net/smtp send EHLO (or HELO)
	// now, so that a refusal is reported as such.
	if err := client.Hello(r.c.ehlo); err != nil {
		return mailFail("ehlo: %s", smtpErrorMessage(r, err))
	}
	if err := client.Noop(); err != nil {
		return mailFail("ehlo: %s", smtpErrorMessage(r, err))
	}
	if r.mode == mailTLSStartTLS {
		if err := smtpStartTLS(r, client); err != nil {
			return err
		}
	}
	if r.c.s.Username != "" {
		if err := smtpLogin(r, client); err != nil {
			return err
		}
	}
	// A failing QUIT says nothing about the service people care about.
	_ = client.Quit()
	return nil
}

func smtpStartTLS(r *mailRun, client *smtp.Client) error {
	if ok, _ := client.Extension("STARTTLS"); !ok {
		return mailFail(`starttls: server does not offer STARTTLS (set tls to "none" to check it without TLS)`)
	}
	began := time.Now()
	// net/smtp sends STARTTLS, wraps the connection (the tap, now only a
	// pass-through) and sends EHLO again, which runs the handshake.
	err := client.StartTLS(r.tlsConfig())
	r.values["tls_ms"] = roundMS(Millis(time.Since(began)))
	if err != nil {
		if msg, ok := tlsErrorMessage(err); ok {
			return mailFail("starttls: %s", msg)
		}
		return mailFail("starttls: %s", smtpErrorMessage(r, err))
	}
	cs, ok := client.TLSConnectionState()
	if !ok {
		return mailFail("starttls: no TLS connection after STARTTLS")
	}
	return r.judgeTLS(cs, "STARTTLS ")
}

func smtpLogin(r *mailRun, client *smtp.Client) error {
	if err := r.mayLogin(); err != nil {
		return err
	}
	ok, params := client.Extension("AUTH")
	if !ok {
		if r.tls == nil {
			return mailFail("login: server does not offer AUTH without TLS")
		}
		return mailFail("login: server does not offer AUTH")
	}
	mech := smtpPickMechanism(params)
	if mech == "" {
		return mailFail("login: server offers AUTH %s, but neither PLAIN nor LOGIN", showServerText(params))
	}
	began := time.Now()
	if err := client.Auth(&smtpAuth{mech: mech, user: r.c.s.Username, pass: r.c.s.Password}); err != nil {
		return mailFail("login: %s", smtpErrorMessage(r, err))
	}
	r.loggedIn(began)
	return nil
}

// smtpPickMechanism returns PLAIN or LOGIN from the AUTH extension's
// parameters, PLAIN first, or "" when neither is offered.
func smtpPickMechanism(params string) string {
	var login bool
	for m := range strings.FieldsSeq(strings.ToUpper(params)) {
		switch m {
		case "PLAIN":
			return "PLAIN"
		case "LOGIN":
			login = true
		}
	}
	if login {
		return "LOGIN"
	}
	return ""
}

// smtpAuth is SASL PLAIN or LOGIN for net/smtp. net/smtp's own PlainAuth
// decides by itself when clear text is acceptable; here mayLogin has
// decided before.
type smtpAuth struct {
	mech, user, pass string
	step             int
}

var _ smtp.Auth = (*smtpAuth)(nil)

func (a *smtpAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	if a.mech == "PLAIN" {
		return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
	}
	return "LOGIN", nil, nil
}

// Next answers LOGIN's two prompts ("Username:", "Password:") in order.
func (a *smtpAuth) Next(_ []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch {
	case a.mech == "LOGIN" && a.step == 1:
		return []byte(a.user), nil
	case a.mech == "LOGIN" && a.step == 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("server asked for more than the mechanism has to send")
}

// smtpGreeting returns the greeting's lines as sent (for expect_banner)
// and its first line made safe for a message, from the bytes the tap kept.
func smtpGreeting(b []byte) (full, shown string) {
	var lines []string
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		lines = append(lines, line)
		// "220 text" ends a reply; "220-text" continues it.
		if len(line) < 4 || line[3] != '-' {
			break
		}
	}
	if len(lines) == 0 {
		return "", ""
	}
	shown = showServerText(lines[0])
	if len(lines) > 1 {
		shown += " …"
	}
	return strings.Join(lines, "\n"), shown
}

// smtpErrorMessage names an SMTP failure: the server's reply ("535 5.7.8
// Authentication failed") or what went wrong on the network.
func smtpErrorMessage(r *mailRun, err error) string {
	var te *textproto.Error
	var pe textproto.ProtocolError
	switch {
	case errors.As(err, &te):
		// Not te.Error(), which quotes the text.
		return fmt.Sprintf("%03d %s", te.Code, showServerText(te.Msg))
	case errors.As(err, &pe):
		return "bad reply: " + showServerText(pe.Error())
	}
	return r.netMsg(err)
}

// defaultEHLOName is this machine's host name when it is fully qualified,
// else vigil.localhost: some servers refuse a bare name in EHLO.
func defaultEHLOName() string {
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") && validEHLOName(h) {
		return h
	}
	return "vigil.localhost"
}

// validEHLOName accepts a domain name or an address literal ("[192.0.2.1]",
// "[IPv6:2001:db8::1]"), as RFC 5321 allows in EHLO.
func validEHLOName(s string) bool {
	if lit, ok := strings.CutPrefix(s, "["); ok {
		lit, ok = strings.CutSuffix(lit, "]")
		lit = strings.TrimPrefix(lit, "IPv6:")
		return ok && net.ParseIP(lit) != nil
	}
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, ch := range label {
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}
