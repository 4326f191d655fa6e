package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// mailRun is the state of one mail check run: the connection as it is
// upgraded, the phases measured so far and what the message will say.
type mailRun struct {
	ctx      context.Context
	c        *mailChecker
	host     string // the target's host, for SNI and hostname checks
	mode     string // mailTLSNone, mailTLSStartTLS or mailTLSImplicit
	start    time.Time
	raw      *mailConn // the socket, with its read budget
	conn     net.Conn  // raw, or the TLS connection over it
	tls      *tls.ConnectionState
	values   map[string]float64
	greeting string   // the greeting as shown in messages
	notes    []string // what went right, for the message: "STARTTLS TLS 1.3", "login ok"
	status   Status   // worst non-fatal finding so far (certificate expiry)
	findings []string // why status is not ok
}

// mailFailure is a failed phase: its message completes "<proto>: ".
type mailFailure struct{ msg string }

func (e *mailFailure) Error() string { return e.msg }

func mailFail(format string, args ...any) error {
	return &mailFailure{msg: fmt.Sprintf(format, args...)}
}

// Check runs the protocol's session against target and judges it.
func (c *mailChecker) Check(ctx context.Context, target string) Result {
	r := &mailRun{ctx: ctx, c: c, start: time.Now(), values: map[string]float64{}, status: StatusOK}
	host, port, err := c.resolveTarget(target)
	if err != nil {
		return problem(0, c.proto.name+": "+err.Error(), nil)
	}
	r.host = host
	r.mode = c.modeFor(port)
	if err := r.run(net.JoinHostPort(host, port)); err != nil {
		return r.failed(err)
	}
	return r.result()
}

// resolveTarget splits target, adding the default port of the TLS mode.
func (c *mailChecker) resolveTarget(target string) (host, port string, err error) {
	def := c.proto.plainPort
	if c.s.TLS == mailTLSImplicit {
		def = c.proto.tlsPort
	}
	return splitHostPortDefault(target, def)
}

// modeFor returns the TLS mode: the setting, or by port when it is empty.
func (c *mailChecker) modeFor(port string) string {
	switch {
	case c.s.TLS != "":
		return c.s.TLS
	case port == c.proto.tlsPort:
		return mailTLSImplicit
	}
	return mailTLSStartTLS
}

func (r *mailRun) run(addr string) error {
	var d net.Dialer
	raw, err := d.DialContext(r.ctx, "tcp", addr)
	r.values["connect_ms"] = roundMS(Millis(time.Since(r.start)))
	if err != nil {
		return mailFail("connect %s: %s", addr, netErrorMessage(r.ctx, err, time.Since(r.start)))
	}
	defer raw.Close()
	if dl, ok := r.ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	// Closing the socket when ctx ends unblocks any read or write,
	// including those inside net/smtp and crypto/tls.
	stop := context.AfterFunc(r.ctx, func() { raw.Close() })
	defer stop()
	r.raw = newMailConn(raw)
	r.conn = r.raw
	if r.mode == mailTLSImplicit {
		if err := r.handshake(time.Now(), ""); err != nil {
			return err
		}
	}
	return r.c.proto.session(r)
}

// handshake upgrades r.conn to TLS and checks the certificate. began is
// when the upgrade started (the STARTTLS command, for STARTTLS); label
// starts its note in the message ("STARTTLS ", or "" for implicit TLS).
// A certificate that fails verification stops the run here, before any
// password is sent.
func (r *mailRun) handshake(began time.Time, label string) error {
	conn := tls.Client(r.conn, r.tlsConfig())
	err := conn.HandshakeContext(r.ctx)
	r.values["tls_ms"] = roundMS(Millis(time.Since(began)))
	if err != nil {
		if msg, ok := tlsErrorMessage(err); ok {
			return mailFail("%s", msg)
		}
		return mailFail("tls handshake: %s", r.netMsg(err))
	}
	r.conn = conn
	cs := conn.ConnectionState()
	return r.judgeTLS(cs, label)
}

// tlsConfig returns the client configuration. The chain is verified after
// the handshake, by judgeTLS, so that the certificate's dates are reported
// even when it is not trusted.
func (r *mailRun) tlsConfig() *tls.Config {
	return &tls.Config{
		ServerName:         r.serverName(),
		InsecureSkipVerify: true, //nolint:gosec // verified by judgeTLS
	}
}

func (r *mailRun) serverName() string {
	if r.c.s.ServerName != "" {
		return r.c.s.ServerName
	}
	return r.host
}

// judgeTLS records the TLS values and fails on a certificate or version
// that must not be trusted; expiry within the thresholds is a finding.
func (r *mailRun) judgeTLS(cs tls.ConnectionState, label string) error {
	r.tls = &cs
	if len(cs.PeerCertificates) == 0 {
		return mailFail("tls: server sent no certificate")
	}
	now := time.Now()
	leaf := cs.PeerCertificates[0]
	st, left, msg := r.c.cert.Judge(now, leaf.NotAfter)
	r.values["cert_days_left"] = roundDays(left)
	r.values["tls_version"] = tlsVersionValue(cs.Version)
	if err := verifyPeer(cs.PeerCertificates, r.serverName(), r.c.roots, r.c.s.TLSVerifyChain, now); err != nil {
		return mailFail("tls: %s", err.Error())
	}
	if r.c.minVer != 0 && cs.Version < r.c.minVer {
		return mailFail("tls: TLS %s negotiated, below min_tls_version %s", tlsVersionName(cs.Version), r.c.s.MinTLSVersion)
	}
	r.note(st, msg)
	r.notes = append(r.notes, label+"TLS "+tlsVersionName(cs.Version))
	return nil
}

// note records a finding that does not end the run.
func (r *mailRun) note(st Status, msg string) {
	if st != StatusOK {
		r.status = Worse(r.status, st)
		r.findings = append(r.findings, msg)
	}
}

// greeted records the greeting: banner_ms, the text for the message, and
// the expect_banner match. full is the whole greeting as sent; shown is
// the short form for the message.
func (r *mailRun) greeted(began time.Time, full, shown string) error {
	r.values["banner_ms"] = roundMS(Millis(time.Since(began)))
	r.greeting = shown
	if r.c.banner != nil && !r.c.banner.MatchString(full) {
		return mailFail("greeting %s does not match expect_banner /%s/", quoteServerText(full), r.c.s.ExpectBanner)
	}
	return nil
}

// mayLogin says whether credentials may be sent now: over TLS, or in
// clear text only when allow_plaintext_login is on.
func (r *mailRun) mayLogin() error {
	if r.tls == nil && !r.c.s.AllowPlaintextLogin {
		return mailFail("login: refusing to send the password without TLS (set allow_plaintext_login to allow it)")
	}
	return nil
}

// loggedIn records login_ms and the note.
func (r *mailRun) loggedIn(began time.Time) {
	r.values["login_ms"] = roundMS(Millis(time.Since(began)))
	r.notes = append(r.notes, "login ok")
}

// netMsg names a network error the way the other checks do.
func (r *mailRun) netMsg(err error) string {
	var mf *mailFailure
	switch {
	case errors.As(err, &mf):
		return mf.msg
	case errors.Is(err, errMailBudget), errors.Is(err, errMailLongLine):
		return err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	}
	return netErrorMessage(r.ctx, err, time.Since(r.start))
}

func (r *mailRun) failed(err error) Result {
	elapsed := time.Since(r.start)
	r.values["total_ms"] = roundMS(Millis(elapsed))
	return problem(elapsed, r.c.proto.name+": "+r.netMsg(err), r.values)
}

func (r *mailRun) result() Result {
	elapsed := time.Since(r.start)
	r.values["total_ms"] = roundMS(Millis(elapsed))
	res := Result{Status: r.status, LatencyMS: Millis(elapsed), Values: r.values}
	res.Message = strings.Join(append([]string{r.c.proto.title + " " + r.greeting}, r.notes...), "; ")
	if st, why := r.c.rt.Judge(elapsed); st != StatusOK {
		r.note(st, why)
		res.Status = r.status
	}
	if len(r.findings) > 0 {
		res.Message += ": " + strings.Join(r.findings, "; ")
	}
	return res
}

// quoteServerText quotes what a server sent for a message, cut short.
func quoteServerText(s string) string {
	const limit = 120
	if len(s) > limit {
		return fmt.Sprintf("%q…", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}

// showServerText makes a server's text safe to put in a message as is:
// invalid UTF-8 becomes "?", control characters spaces, and it is cut
// short.
func showServerText(s string) string {
	const limit = 120
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	s = strings.TrimSpace(s)
	if len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xc0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
