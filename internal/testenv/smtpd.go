package testenv

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPDOptions says how StartSMTPD's server behaves.
type SMTPDOptions struct {
	// Domain is the name in the greeting; "mx.test" when empty.
	Domain string
	// TLS, when set, is the server's certificate configuration: offered
	// through STARTTLS, or from the first byte with ImplicitTLS.
	TLS         *tls.Config
	ImplicitTLS bool
	// Users, when set, turns on AUTH PLAIN and AUTH LOGIN for these
	// user names and passwords; sending mail then needs a login.
	Users map[string]string
	// Mechanisms overrides the AUTH mechanisms offered (e.g. only
	// "LOGIN"); empty offers PLAIN and LOGIN.
	Mechanisms []string
	// AllowInsecureAuth offers AUTH before TLS. Off, AUTH is offered
	// only on a TLS connection, as real submission servers do.
	AllowInsecureAuth bool
}

// SMTPD is a real SMTP server (github.com/emersion/go-smtp) running in
// the test process on 127.0.0.1.
type SMTPD struct {
	Addr string // host:port

	mu     sync.Mutex
	hellos []string
	logins []string
	mail   []SMTPMessage
}

// SMTPMessage is one message the server accepted.
type SMTPMessage struct {
	From string
	To   []string
	Data []byte
	User string // who logged in; "" without AUTH
	TLS  bool   // it came over TLS
}

// StartSMTPD starts a server on a free loopback port; it stops when the
// test ends.
func StartSMTPD(t testing.TB, o SMTPDOptions) *SMTPD {
	t.Helper()
	d := &SMTPD{}
	srv := smtp.NewServer(&smtpdBackend{d: d, o: o})
	srv.Domain = o.Domain
	if srv.Domain == "" {
		srv.Domain = "mx.test"
	}
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.AllowInsecureAuth = o.AllowInsecureAuth
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: smtpd: listen: %v", err)
	}
	if o.TLS != nil && o.ImplicitTLS {
		ln = tls.NewListener(ln, o.TLS)
	} else {
		srv.TLSConfig = o.TLS
	}
	d.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return d
}

// Hellos returns the names clients gave in EHLO or HELO, in order.
func (d *SMTPD) Hellos() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.hellos...)
}

// Logins returns the user names that logged in successfully, in order.
func (d *SMTPD) Logins() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.logins...)
}

// Messages returns the messages accepted so far.
func (d *SMTPD) Messages() []SMTPMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]SMTPMessage(nil), d.mail...)
}

type smtpdBackend struct {
	d *SMTPD
	o SMTPDOptions
}

// NewSession is called at the first EHLO or HELO, whose name c holds.
func (b *smtpdBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.d.mu.Lock()
	b.d.hellos = append(b.d.hellos, c.Hostname())
	b.d.mu.Unlock()
	return &smtpdSession{b: b, conn: c}, nil
}

// smtpdSession implements smtp.Session and smtp.AuthSession.
type smtpdSession struct {
	b    *smtpdBackend
	conn *smtp.Conn
	user string
	msg  SMTPMessage
}

var _ smtp.AuthSession = (*smtpdSession)(nil)

func (s *smtpdSession) AuthMechanisms() []string {
	switch {
	case s.b.o.Users == nil:
		return nil
	case len(s.b.o.Mechanisms) > 0:
		return s.b.o.Mechanisms
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *smtpdSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := s.b.o.Users[user]; !ok || want != pass {
			// The reply real servers give (RFC 4954).
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.user = user
		s.b.d.mu.Lock()
		s.b.d.logins = append(s.b.d.logins, user)
		s.b.d.mu.Unlock()
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *smtpdSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.o.Users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg = SMTPMessage{From: from, User: s.user}
	return nil
}

func (s *smtpdSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *smtpdSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = data
	_, s.msg.TLS = s.conn.TLSConnectionState()
	s.b.d.mu.Lock()
	s.b.d.mail = append(s.b.d.mail, s.msg)
	s.b.d.mu.Unlock()
	return nil
}

func (s *smtpdSession) Reset()        { s.msg = SMTPMessage{} }
func (s *smtpdSession) Logout() error { return nil }

// loginServer is the server side of SASL LOGIN (draft-murchison-sasl-login),
// which go-sasl no longer ships: prompt for the user name, then the
// password.
type loginServer struct {
	check func(user, pass string) error
	user  string
	step  int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil { // an initial response carries the user name
			l.user, l.step = string(response), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, errors.New("unexpected response")
}
