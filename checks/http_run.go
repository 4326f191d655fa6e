package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"
)

// httpTimings collects the phases of the first connection of a run (the
// target's own, before any redirect) and the time to the final response's
// first byte.
type httpTimings struct {
	start                time.Time
	dnsStart, connStart  time.Time
	tlsStart             time.Time
	dns, connect, tlsDur time.Duration
	ttfb                 time.Duration
	sawDNS, sawConn      bool
	sawTLS               bool
	peer                 *x509.Certificate
	peerName             string // SNI sent; empty for an IP target
}

func (t *httpTimings) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { t.dnsStart = time.Now() },
		DNSDone: func(httptrace.DNSDoneInfo) {
			if !t.sawDNS {
				t.dns, t.sawDNS = time.Since(t.dnsStart), true
			}
		},
		ConnectStart: func(string, string) { t.connStart = time.Now() },
		ConnectDone: func(_, _ string, err error) {
			if err == nil && !t.sawConn {
				t.connect, t.sawConn = time.Since(t.connStart), true
			}
		},
		TLSHandshakeStart: func() { t.tlsStart = time.Now() },
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			if t.sawTLS || len(cs.PeerCertificates) == 0 {
				return
			}
			t.sawTLS, t.peer, t.peerName = true, cs.PeerCertificates[0], cs.ServerName
			if err == nil {
				t.tlsDur = time.Since(t.tlsStart)
			}
		},
		GotFirstResponseByte: func() { t.ttfb = time.Since(t.start) },
	}
}

// Check sends the request and judges the answer.
func (c *httpChecker) Check(ctx context.Context, target string) Result {
	defer c.transport.CloseIdleConnections()
	tm := &httpTimings{start: time.Now()}
	req, err := c.request(httptrace.WithClientTrace(ctx, tm.trace()), target)
	if err != nil {
		return problem(0, "bad request: "+err.Error(), nil)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		elapsed := time.Since(tm.start)
		var cp *certProblem
		if errors.As(err, &cp) && cp.leaf != nil && !tm.sawTLS {
			tm.sawTLS, tm.peer = true, cp.leaf
		}
		code := 0
		if resp != nil {
			// A redirect limit hands back the last response, body closed.
			code = resp.StatusCode
		}
		return problem(elapsed, requestErrorMessage(ctx, err, elapsed), tm.values(code, c.now()))
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, httpBodyLimit))
	resp.Body.Close()
	elapsed := time.Since(tm.start)
	values := tm.values(resp.StatusCode, c.now())
	if readErr != nil {
		return problem(elapsed, "reading body: "+requestErrorMessage(ctx, readErr, elapsed), values)
	}
	return c.judge(resp, body, tm, elapsed, values, target)
}

func (c *httpChecker) request(ctx context.Context, target string) (*http.Request, error) {
	var body io.Reader
	if c.s.Body != "" {
		body = strings.NewReader(c.s.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.s.Method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.s.UserAgent)
	for k, v := range c.s.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

func (c *httpChecker) judge(resp *http.Response, body []byte, tm *httpTimings, elapsed time.Duration, values map[string]float64, target string) Result {
	r := Result{Status: StatusOK, LatencyMS: Millis(elapsed), Values: values}
	r.Message = fmt.Sprintf("%s in %s", resp.Status, fmtMS(r.LatencyMS))
	var notes []string
	add := func(st Status, note string) {
		if st != StatusOK {
			r.Status = Worse(r.Status, st)
			notes = append(notes, note)
		}
	}
	if !c.status.Contains(resp.StatusCode) {
		add(StatusProblem, "expected status "+c.s.ExpectStatus)
	}
	if c.s.ExpectContains != "" && !strings.Contains(string(body), c.s.ExpectContains) {
		add(StatusProblem, fmt.Sprintf("body does not contain %q", c.s.ExpectContains))
	}
	if c.re != nil && !c.re.Match(body) {
		add(StatusProblem, fmt.Sprintf("body does not match /%s/", c.s.ExpectRegex))
	}
	if tm.peer != nil && tm.peerName == "" && c.s.TLSVerify {
		// An IP target: ConnectionState carries no name to check in
		// VerifyConnection, so the address is checked here.
		if u, err := url.Parse(target); err == nil && tm.peer.VerifyHostname(u.Hostname()) != nil {
			add(StatusProblem, hostnameMessage(tm.peer, u.Hostname()))
		}
	}
	if tm.peer != nil {
		st, _, msg := c.cert.Judge(c.now(), tm.peer.NotAfter)
		add(st, msg)
	}
	add(c.rt.Judge(elapsed))
	if len(notes) > 0 {
		r.Message += ": " + strings.Join(notes, "; ")
	}
	return r
}

func (tm *httpTimings) values(status int, now time.Time) map[string]float64 {
	v := map[string]float64{}
	if status > 0 {
		v["status_code"] = float64(status)
		v["ttfb_ms"] = roundMS(Millis(tm.ttfb))
	}
	if tm.sawDNS {
		v["dns_ms"] = roundMS(Millis(tm.dns))
	}
	if tm.sawConn {
		v["connect_ms"] = roundMS(Millis(tm.connect))
	}
	if tm.sawTLS {
		v["tls_ms"] = roundMS(Millis(tm.tlsDur))
		v["cert_days_left"] = roundDays(tm.peer.NotAfter.Sub(now).Hours() / 24)
	}
	return v
}

// requestErrorMessage names why a request failed, without the URL net/http
// wraps around every error; the http and transaction checks share it.
// An error of a client's CheckRedirect ("stopped after 10 redirects") is
// shown as it is.
func requestErrorMessage(ctx context.Context, err error, elapsed time.Duration) string {
	if msg, ok := tlsErrorMessage(err); ok {
		return msg
	}
	var uerr *url.Error
	if errors.As(err, &uerr) && !uerr.Timeout() && ctx.Err() == nil {
		if strings.HasPrefix(uerr.Err.Error(), "stopped after") {
			return uerr.Err.Error()
		}
		return netErrorMessage(ctx, uerr.Err, elapsed)
	}
	return netErrorMessage(ctx, err, elapsed)
}
