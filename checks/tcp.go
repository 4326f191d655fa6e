package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// tcpReadLimit bounds how much is read while looking for expect.
const tcpReadLimit = 64 << 10

func init() {
	Register(Type{
		Name:  "tcp",
		Title: "TCP port",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "send", Kind: "text", Help: "Text to send once connected (escape sequences such as \\r\\n as JSON escapes)."},
			{Name: "expect", Kind: "string", Help: "Text the first bytes the server sends (up to 64 KiB) must contain."},
		},
			responseTimeSettings("connecting (and reading expect) takes"),
		),
		TargetHelp:     "host:port, e.g. db.example.com:5432",
		ValidateTarget: func(target string) error { return validateHostPort(target, false) },
		New:            newTCPChecker,
	})
}

type tcpSettings struct {
	Send                  string `json:"send"`
	Expect                string `json:"expect"`
	ResponseTimeWarningMS int    `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int    `json:"response_time_error_ms"`
}

type tcpChecker struct {
	s  tcpSettings
	rt ResponseTime
}

var _ Checker = (*tcpChecker)(nil)

// validateHostPort accepts "host:port" (and, when portOptional, a bare
// host) with a port between 1 and 65535.
func validateHostPort(target string, portOptional bool) error {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		if !portOptional {
			return errors.New(`must be host:port, e.g. "example.com:443" or "[2001:db8::1]:53"`)
		}
		host, port = target, "443"
		if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
	}
	if host == "" {
		return errors.New("the host is missing")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number between 1 and 65535", port)
	}
	return nil
}

func newTCPChecker(raw json.RawMessage) (Checker, error) {
	var s tcpSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &tcpChecker{s: s, rt: ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS}}
	if err := c.rt.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Check connects, optionally sends and reads, and judges the time taken.
func (c *tcpChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	connect := time.Since(start)
	if err != nil {
		return problem(connect, netErrorMessage(ctx, err, connect), nil)
	}
	defer conn.Close()
	values := map[string]float64{"connect_ms": roundMS(Millis(connect))}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Closing the connection when ctx ends unblocks a read that has no
	// deadline (a context without one that is cancelled).
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if c.s.Send != "" {
		if _, err := io.WriteString(conn, c.s.Send); err != nil {
			el := time.Since(start)
			return problem(el, "send: "+netErrorMessage(ctx, err, el), values)
		}
	}
	if c.s.Expect != "" {
		if msg := c.readExpect(ctx, conn, start); msg != "" {
			return problem(time.Since(start), msg, values)
		}
	}
	elapsed := time.Since(start)
	r := Result{Status: StatusOK, LatencyMS: Millis(elapsed), Values: values,
		Message: "connected in " + fmtMS(Millis(connect))}
	if c.s.Expect != "" {
		r.Message += fmt.Sprintf(", got %q in %s", c.s.Expect, fmtMS(r.LatencyMS))
	}
	if st, note := c.rt.Judge(elapsed); st != StatusOK {
		r.Status, r.Message = st, r.Message+": "+note
	}
	return r
}

// readExpect reads until expect is seen, the peer closes, or the deadline
// passes; it returns "" on success or why it failed.
func (c *tcpChecker) readExpect(ctx context.Context, conn net.Conn, start time.Time) string {
	want := []byte(c.s.Expect)
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 4096)
	for len(buf) < tcpReadLimit {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if bytes.Contains(buf, want) {
			return ""
		}
		if errors.Is(err, io.EOF) {
			return fmt.Sprintf("connection closed before %q was received (got %s)", c.s.Expect, preview(buf))
		}
		if err != nil {
			el := time.Since(start)
			return fmt.Sprintf("waiting for %q: %s (got %s)", c.s.Expect, netErrorMessage(ctx, err, el), preview(buf))
		}
	}
	return fmt.Sprintf("%q not in the first %d bytes", c.s.Expect, tcpReadLimit)
}

// preview quotes the start of what a server sent, for messages.
func preview(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "…"
	}
	return strconv.Quote(string(b))
}
