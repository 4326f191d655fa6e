package checks

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// txRun is the state of one run: its own connections, cookie jar and
// variables, so that runs share nothing (a session cookie of one run is
// never sent by the next).
type txRun struct {
	c         *transactionChecker
	client    *http.Client
	transport *http.Transport
	vars      map[string]string
	target    txOrigin // with the checker's origins, where requests may go
	follow    bool     // the current step's redirect rule
	sendsPw   bool     // whether the current step carries the password

	mu         sync.Mutex // the transport dials on its own goroutines
	certExpiry time.Time  // earliest NotAfter of the certificates seen
}

func (c *transactionChecker) newRun(base *url.URL) *txRun {
	r := &txRun{
		c:      c,
		vars:   map[string]string{"username": c.s.Username, "password": c.s.Password},
		target: originOf(base),
	}
	d := &net.Dialer{}
	// Keep-alives stay on within a run, as a browser's would: a step pays
	// for a connection only when it goes to a host not seen before.
	r.transport = &http.Transport{
		Proxy:       nil,
		DialContext: d.DialContext,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return r.dialTLS(ctx, d, network, addr)
		},
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: 1 << 20,
		// A dial still under way when a run ends (its deadline passed)
		// lands in the idle pool after CloseIdleConnections; this closes it.
		IdleConnTimeout: 30 * time.Second,
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	r.client = &http.Client{Transport: r.transport, Jar: jar, CheckRedirect: r.checkRedirect}
	return r
}

// dialTLS connects and verifies the server before the transport sends a
// request on the connection, so that a login form's password never goes
// to a server that is not the one configured. The host is checked here,
// where it is known even for an IP address (tls.ConnectionState carries
// no name for those).
func (r *txRun) dialTLS(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, &tls.Config{
		ServerName: host,
		NextProtos: []string{"h2", "http/1.1"},
		// Verified below by verifyPeer, which names what is wrong.
		InsecureSkipVerify: true, //nolint:gosec // verified below
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	certs := conn.ConnectionState().PeerCertificates
	r.sawCertificate(certs)
	if r.c.s.TLSVerify {
		if err := verifyPeer(certs, host, r.c.roots, true, r.c.now()); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

func (r *txRun) sawCertificate(certs []*x509.Certificate) {
	if len(certs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.certExpiry.IsZero() || certs[0].NotAfter.Before(r.certExpiry) {
		r.certExpiry = certs[0].NotAfter
	}
}

func (r *txRun) earliestExpiry() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.certExpiry
}

// checkRedirect follows a redirect when the step does, within the limit;
// a step that carries the password follows it only to a literal origin,
// since net/http resends the step's headers to any host (all but
// Authorization and Cookie), and its body too on a 307 or 308.
func (r *txRun) checkRedirect(req *http.Request, via []*http.Request) error {
	if !r.follow {
		return http.ErrUseLastResponse
	}
	if len(via) > maxTxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxTxRedirects)
	}
	if r.sendsPw && !r.literal(originOf(req.URL)) {
		return &txRedirectRefused{to: req.URL}
	}
	return nil
}

// stepOutcome is how one step went. failure is set when the step failed
// (and the run stops); note is a warning that lets the run go on.
type stepOutcome struct {
	elapsed  time.Duration
	answered bool
	failure  string
	note     string
}

// step sends one step's request, judges the answer and extracts its
// variables.
func (r *txRun) step(ctx context.Context, st *txStep, base *url.URL) stepOutcome {
	req, err := st.request(ctx, base, r.vars, r.c.s.UserAgent)
	if err != nil {
		return stepOutcome{failure: err.Error()}
	}
	r.follow, r.sendsPw = st.follow, st.sendsPassword(r.vars, r.c.secret)
	if msg := r.refuse(req, r.sendsPw); msg != "" {
		return stepOutcome{failure: msg}
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		elapsed := time.Since(start)
		var refused *txRedirectRefused
		if errors.As(err, &refused) {
			return stepOutcome{elapsed: elapsed, failure: refused.Error()}
		}
		return stepOutcome{elapsed: elapsed, failure: requestErrorMessage(ctx, err, elapsed)}
	}
	body, cut, err := readCapped(resp.Body, httpBodyLimit)
	resp.Body.Close()
	out := stepOutcome{elapsed: time.Since(start), answered: true}
	if err != nil {
		out.failure = "reading the body: " + requestErrorMessage(ctx, err, out.elapsed)
		return out
	}
	if out.failure = st.judge(resp.StatusCode, body, cut, r.vars); out.failure != "" {
		return out
	}
	answer := &stepAnswer{header: resp.Header, body: body}
	for _, x := range st.extract {
		v, err := x.run(answer)
		if err != nil {
			out.failure = "extract " + x.name + ": " + err.Error()
			return out
		}
		r.vars[x.name] = v
	}
	if ms := Millis(out.elapsed); st.maxMS > 0 && ms > float64(st.maxMS) {
		out.note = fmt.Sprintf("slow: %s > %d ms", fmtMS(ms), st.maxMS)
	}
	return out
}

// request builds the step's request with the variables' values in place.
func (st *txStep) request(ctx context.Context, base *url.URL, vars map[string]string, userAgent string) (*http.Request, error) {
	raw := st.url.expand(vars)
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, fmt.Errorf("url %q holds a space or control character (variables are put in as they are)", st.url.shown(vars))
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q is not a URL", st.url.shown(vars))
	}
	u := base.ResolveReference(ref)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("url %q is not an http:// or https:// URL", st.url.shown(vars))
	}
	body, ctype, err := st.requestBody(vars)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, st.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("url %q cannot be requested", st.url.shown(vars))
	}
	req.Header.Set("User-Agent", userAgent)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for _, h := range st.headers {
		v := h.value.expand(vars)
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("header %s: a variable's value holds a line break", h.name)
		}
		if strings.EqualFold(h.name, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(h.name, v)
	}
	return req, nil
}

// requestBody encodes the step's form, JSON or raw body and names its
// content type; a header of the step may still override the type.
func (st *txStep) requestBody(vars map[string]string) (io.Reader, string, error) {
	switch {
	case st.form != nil:
		form := url.Values{}
		for _, f := range st.form {
			form.Set(f.name, f.value.expand(vars))
		}
		return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", nil
	case st.json != nil:
		b, err := st.json.encode(vars)
		if err != nil {
			return nil, "", fmt.Errorf("json body: %w", err)
		}
		return strings.NewReader(string(b)), "application/json", nil
	case st.body != nil:
		return strings.NewReader(st.body.expand(vars)), "", nil
	}
	return nil, "", nil
}

// judge returns why the answer fails the step's expectations, or "".
func (st *txStep) judge(code int, body []byte, cut bool, vars map[string]string) string {
	where := ""
	if cut {
		where = " (in its first 1 MiB; the rest was not read)"
	}
	switch {
	case !st.status.Contains(code):
		return fmt.Sprintf("status %d, want %s", code, st.status)
	case st.contains.raw != "" && !bytes.Contains(body, []byte(st.contains.expand(vars))):
		return fmt.Sprintf("body does not contain %q%s", st.contains.shown(vars), where)
	case st.notContains.raw != "" && bytes.Contains(body, []byte(st.notContains.expand(vars))):
		return fmt.Sprintf("body contains %q", st.notContains.shown(vars))
	case st.re != nil && !st.re.Match(body):
		return fmt.Sprintf("body does not match /%s/%s", st.re, where)
	}
	return ""
}

// readCapped reads at most limit bytes of r and says whether there was more.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, err
	}
	return b, false, err
}

// stepKey is the value name of a step's time: step_1_ms, step_2_ms, …
// By position, so a renamed step keeps its series.
func stepKey(num int) string {
	return "step_" + strconv.Itoa(num) + "_ms"
}
