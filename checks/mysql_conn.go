package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
)

// mysqlReadLimit bounds what one run reads from the server. A run needs a
// few KiB (the handshake, the health query's answer and about 40 status
// rows); the driver joins a packet split in 16 MiB parts without a limit,
// so without this a hostile server could make it read forever.
const mysqlReadLimit = 1 << 20

// errMySQLReadLimit is what a read returns once the limit is reached.
var errMySQLReadLimit = errors.New("the server sent more than 1 MiB")

// mysqlRun holds what one run's connection learns through the driver's
// callbacks: how much was read, the server's certificate, and the last
// thing the driver logged (its only account of why a connection broke).
type mysqlRun struct {
	left     atomic.Int64 // bytes the server may still send
	overRead atomic.Bool
	peer     *x509.Certificate // set during the TLS handshake
	tlsVer   uint16            // the TLS version, 0 for a plain connection

	mu        sync.Mutex
	logged    string   // the driver's last log line, when it was not an error
	loggedErr error    // the error the driver logged last
	raw       net.Conn // the TCP connection, closed after a driver panic
}

func newMySQLRun() *mysqlRun {
	r := &mysqlRun{}
	r.left.Store(mysqlReadLimit)
	return r
}

// Print receives the driver's log lines (mysql.Logger). None reaches the
// process's log; the last is kept, as the driver's only account of why a
// connection broke.
func (r *mysqlRun) Print(v ...any) {
	if len(v) == 0 {
		return
	}
	// The driver puts "packets.go:58 " before what it logs.
	if s, ok := v[0].(string); ok && len(v) > 1 && strings.Contains(s, ".go:") {
		v = v[1:]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.loggedErr, r.logged = nil, ""
	if err, ok := v[0].(error); ok && len(v) == 1 {
		r.loggedErr = err
		return
	}
	r.logged = mysqlText(fmt.Sprint(v...))
}

// cause says why the connection broke, from what the driver logged last.
func (r *mysqlRun) cause(ctx context.Context, elapsed time.Duration) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loggedErr != nil {
		return mysqlNetMessage(ctx, r.loggedErr, elapsed)
	}
	return r.logged
}

// dial opens the TCP connection with ctx's deadline on it and counts what
// is read from it.
func (r *mysqlRun) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	r.mu.Lock()
	r.raw = conn
	r.mu.Unlock()
	return &mysqlLimitedConn{Conn: conn, run: r}, nil
}

// closeRaw closes the TCP connection, if one was made.
func (r *mysqlRun) closeRaw() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.raw != nil {
		r.raw.Close()
	}
}

// mysqlLimitedConn is a connection that fails reads past the run's limit.
type mysqlLimitedConn struct {
	net.Conn
	run *mysqlRun
}

func (c *mysqlLimitedConn) Read(p []byte) (int, error) {
	left := c.run.left.Load()
	if left <= 0 {
		c.run.overRead.Store(true)
		return 0, errMySQLReadLimit
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := c.Conn.Read(p)
	c.run.left.Add(-int64(n))
	return n, err
}

// connector builds the driver's connector for one run against addr.
func (c *mysqlChecker) connector(addr string, run *mysqlRun) (driver.Connector, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.DBName = c.s.Username, c.s.Password, c.s.Database
	cfg.Net, cfg.Addr = "tcp", addr
	cfg.DialFunc = run.dial
	cfg.Logger = run
	cfg.ConnectionAttributes = "program_name:vigil"
	// The default, said out loud: without CLIENT_MULTI_STATEMENTS the
	// server refuses "SELECT 1; DO GET_LOCK('l', 0)" as a syntax error,
	// a second guard behind mysqlCleanQuery's.
	cfg.MultiStatements = false
	if c.s.TLS != mysqlTLSDisabled {
		cfg.TLS = c.tlsConfig(addr, run)
		// preferred: encrypt when the server offers it, as the mysql client.
		cfg.AllowFallbackToPlaintext = c.s.TLS == mysqlTLSPreferred
	}
	return mysql.NewConnector(cfg)
}

// tlsConfig verifies the server's certificate itself, so a failure names
// its cause ("certificate expired 2 days ago"), and keeps it for the
// expiry check.
func (c *mysqlChecker) tlsConfig(addr string, run *mysqlRun) *tls.Config {
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{
		// Verified in VerifyConnection, when the mode asks for it.
		InsecureSkipVerify: true, //nolint:gosec // verified below
		MinVersion:         tls.VersionTLS12,
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	verify := c.s.TLS == mysqlTLSVerifyCA || c.s.TLS == mysqlTLSVerifyIdentity
	name := "" // verify_ca: the chain only
	if c.s.TLS == mysqlTLSVerifyIdentity {
		name = host
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		run.tlsVer = cs.Version
		if len(cs.PeerCertificates) > 0 {
			run.peer = cs.PeerCertificates[0]
		}
		if !verify {
			return nil
		}
		return verifyPeer(cs.PeerCertificates, name, c.roots, true, c.now())
	}
	return cfg
}

// errorMessage names why a step failed in words a person understands:
// the server's own error, a certificate problem, a timeout, a refusal.
func (r *mysqlRun) errorMessage(ctx context.Context, err error, elapsed time.Duration) string {
	var serverErr *mysql.MySQLError
	switch {
	case r.overRead.Load():
		return errMySQLReadLimit.Error()
	case errors.As(err, &serverErr):
		return mysqlServerMessage(serverErr)
	case mysqlPastDeadline(ctx):
		return "timed out after " + elapsed.Round(time.Millisecond).String()
	case errors.Is(err, mysql.ErrNoTLS):
		return "the server does not offer TLS, which the tls setting requires"
	case errors.Is(err, mysql.ErrMalformPkt), errors.Is(err, mysql.ErrPktSync), errors.Is(err, mysql.ErrPktSyncMul):
		return "the answer is not the MySQL protocol (is this a MySQL port?)"
	case errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn):
		if cause := r.cause(ctx, elapsed); cause != "" {
			return "the connection broke: " + cause
		}
		return "the connection broke"
	}
	if msg, ok := tlsErrorMessage(err); ok {
		return msg
	}
	return mysqlNetMessage(ctx, err, elapsed)
}

// mysqlPastDeadline reports whether ctx has ended or its deadline has
// passed: the connection's own deadline, set to the same time, may fire
// a moment before ctx's timer does.
func mysqlPastDeadline(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// mysqlNetMessage is netErrorMessage, with the end of the stream named.
func mysqlNetMessage(ctx context.Context, err error, elapsed time.Duration) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the server closed the connection"
	}
	return mysqlText(netErrorMessage(ctx, err, elapsed))
}

// mysqlServerMessage writes an error the server sent, lower-cased as Go
// errors are: "access denied for user 'vigil'@'10.0.0.5' (using password:
// YES)". A message that starts with an acronym keeps it: "XPATH syntax
// error", not "xPATH".
func mysqlServerMessage(e *mysql.MySQLError) string {
	msg := mysqlText(e.Message)
	r, size := utf8.DecodeRuneInString(msg)
	next, _ := utf8.DecodeRuneInString(msg[size:])
	if r != utf8.RuneError && size > 0 && !unicode.IsUpper(next) {
		msg = string(unicode.ToLower(r)) + msg[size:]
	}
	if msg == "" {
		return fmt.Sprintf("server error %d", e.Number)
	}
	return msg
}

// mysqlText makes text from the server fit a message: valid UTF-8, no
// control characters, at most 300 bytes.
func mysqlText(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}
