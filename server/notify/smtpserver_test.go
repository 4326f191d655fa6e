package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testSMTP is a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 that keeps what it receives.
type testSMTP struct {
	addr  string
	host  string
	port  int
	roots *x509.CertPool // trusts the server's certificate, when it has one

	mu   sync.Mutex
	mail []receivedMail
}

type receivedMail struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user, "" without AUTH
	TLS  bool   // the message came over TLS (STARTTLS or implicit)
}

type smtpOptions struct {
	startTLS    bool   // offer STARTTLS
	implicitTLS bool   // TLS from the first byte (port 465 style)
	user, pass  string // require AUTH PLAIN with these
	insecure    bool   // allow AUTH without TLS
}

func startSMTP(t *testing.T, o smtpOptions) *testSMTP {
	t.Helper()
	ts := &testSMTP{}
	srv := smtp.NewServer(&smtpBackend{ts: ts, o: o})
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.AllowInsecureAuth = o.insecure
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.startTLS || o.implicitTLS {
		cert, roots := selfSignedCert(t)
		ts.roots = roots
		conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if o.implicitTLS {
			ln = tls.NewListener(ln, conf)
		} else {
			srv.TLSConfig = conf
		}
	}
	ts.addr = ln.Addr().String()
	ts.host = "127.0.0.1"
	ts.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testSMTP) received() []receivedMail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]receivedMail(nil), ts.mail...)
}

// config is SMTP settings pointing at ts, trusting its certificate.
func (ts *testSMTP) config(mode, user, pass string) SMTPConfig {
	return SMTPConfig{Host: ts.host, Port: ts.port, Username: user, Password: pass,
		From: "Vigil <vigil@example.com>", TLS: mode, rootCAs: ts.roots}
}

type smtpBackend struct {
	ts *testSMTP
	o  smtpOptions
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b, conn: c}, nil
}

type smtpSession struct {
	b    *smtpBackend
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.b.o.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.o.user || pass != s.b.o.pass {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.o.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	if strings.HasPrefix(to, "busy@") {
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy, try later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.b.ts.mu.Lock()
	s.b.ts.mail = append(s.b.ts.mail, receivedMail{From: s.from, To: s.to, Data: data, User: s.user, TLS: isTLS})
	s.b.ts.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// selfSignedCert is a throwaway certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mx.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
