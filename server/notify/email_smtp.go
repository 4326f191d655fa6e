package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// smtpTimeout bounds an SMTP conversation when ctx has no deadline.
const smtpTimeout = 30 * time.Second

// smtpAuthPreference is the order SMTP mechanisms are tried in when a user
// name is set. PLAIN and LOGIN send the password itself, so go-mail only
// uses them over TLS or to a loopback host (localhost, 127.0.0.1, ::1);
// elsewhere an unencrypted connection with them is refused.
var smtpAuthPreference = []gomail.SMTPAuthType{
	gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
	gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
}

// sendMail delivers msgs over one SMTP connection. It honours ctx: the
// connection is closed when ctx ends, whatever the conversation is doing.
func sendMail(ctx context.Context, cfg SMTPConfig, msgs []*gomail.Msg) error {
	closer := &connCloser{}
	stop := context.AfterFunc(ctx, closer.close)
	defer stop()
	client, addr, err := smtpClient(ctx, cfg, closer)
	if err != nil {
		return err
	}
	err = client.DialAndSendWithContext(ctx, msgs...)
	if ctx.Err() != nil {
		return fmt.Errorf("email via %s: %w", addr, ctx.Err())
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, smtp.ErrUnencrypted) {
		err = errors.New("the server offers only PLAIN or LOGIN authentication, which would send the password unencrypted: set tls to starttls or tls")
	}
	err = fmt.Errorf("email via %s: %w", addr, err)
	if allRefused(msgs) {
		return permanent(err)
	}
	return err
}

// smtpClient builds a go-mail client for cfg; closer learns the
// connection it dials.
func smtpClient(ctx context.Context, cfg SMTPConfig, closer *connCloser) (*gomail.Client, string, error) {
	port, err := smtpPort(cfg)
	if err != nil {
		return nil, "", err
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	if cfg.Host == "" {
		return nil, addr, errors.New("email: the SMTP settings have no host")
	}
	// go-mail's own timeout is only a backstop: ctx ends the conversation
	// first (closing the connection), so the error says why.
	timeout := smtpTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), 0) + time.Second
	}
	tlsConf := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: cfg.rootCAs}
	implicit := cfg.TLS == "tls"
	opts := []gomail.Option{
		gomail.WithPort(port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(closer.dialer(tlsConf, implicit)),
	}
	switch cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls", "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		// Our dialer makes the TLS connection; WithSSL keeps go-mail from
		// also trying STARTTLS inside it.
		opts = append(opts, gomail.WithSSL())
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password),
			gomail.WithOpportunisticSMTPAuth(smtpAuthPreference...))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, addr, fmt.Errorf("email via %s: %w", addr, err)
	}
	return client, addr, nil
}

// smtpPort is cfg's port, or the usual one for its TLS mode.
func smtpPort(cfg SMTPConfig) (int, error) {
	if cfg.Port < 0 || cfg.Port > 65535 {
		return 0, fmt.Errorf("email: the SMTP port %d is not between 1 and 65535", cfg.Port)
	}
	defaults := map[string]int{"none": 25, "starttls": 587, "": 587, "tls": 465}
	def, ok := defaults[cfg.TLS]
	if !ok {
		return 0, fmt.Errorf("email: the SMTP tls mode %q is not none, starttls or tls", cfg.TLS)
	}
	if cfg.Port == 0 {
		return def, nil
	}
	return cfg.Port, nil
}

// allRefused reports whether every failed message was refused for good by
// the server (a 5xx to RCPT TO or to the message itself): sending again
// would be refused again. A refused sender is not counted, since fixing
// the SMTP settings makes a retry work.
func allRefused(msgs []*gomail.Msg) bool {
	failed := 0
	for _, m := range msgs {
		if !m.HasSendError() {
			continue
		}
		failed++
		var se *gomail.SendError
		if !errors.As(m.SendError(), &se) || se.ErrorCode()/100 != 5 {
			return false
		}
		switch se.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		default:
			return false
		}
	}
	return failed > 0
}

// connCloser closes the SMTP connection when the send's context ends:
// go-mail uses the context only while dialing.
type connCloser struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

func (c *connCloser) dialer(conf *tls.Config, implicitTLS bool) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{}
		var conn net.Conn
		var err error
		if implicitTLS {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: conf}).DialContext(ctx, network, addr)
		} else {
			conn, err = nd.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			conn.Close()
			return nil, context.Canceled
		}
		c.conn = conn
		return conn, nil
	}
}

func (c *connCloser) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn != nil {
		c.conn.Close()
	}
}
