package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"
)

// snmpDefaultBudget is the time a run may take when ctx has no deadline.
const snmpDefaultBudget = 10 * time.Second

// Check reads every object in one request and judges the answers.
func (c *snmpChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	host, port, addr := snmpAddr(target)
	oids, uptimeAt := c.requestOIDs()
	g := c.client(ctx, host, port)
	if err := g.Connect(); err != nil {
		el := time.Since(start)
		return problem(el, "snmp: "+addr+": "+netErrorMessage(ctx, err, el), nil)
	}
	conn := g.Conn
	defer conn.Close()
	var rec snmpRecordConn
	if c.version == gosnmp.Version3 {
		// Kept for the report that may explain a failure (snmp_report.go).
		rec.Conn = conn
		g.Conn = &rec
	}
	// Closing the socket when ctx is cancelled ends a wait for an answer
	// at once rather than at the per-request timeout.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	pkt, err := g.Get(oids)
	answered := time.Since(start)
	if err != nil {
		return problem(answered, c.requestError(ctx, err, addr, answered, rec.last), nil)
	}
	values := map[string]float64{"response_ms": roundMS(Millis(answered))}
	if msg := c.answerProblem(pkt, oids, uptimeAt); msg != "" {
		return problem(answered, msg, values)
	}
	rates := c.rateUpdate(target, start.Add(answered), pkt.Variables, uptimeAt)
	return c.judge(pkt.Variables, rates, answered, values)
}

// requestOIDs lists the OIDs to ask for: the objects' own, plus sysUpTime
// when a rate needs it to see agent restarts. uptimeAt is sysUpTime's
// index in the list, or -1.
func (c *snmpChecker) requestOIDs() (oids []string, uptimeAt int) {
	uptimeAt = -1
	needUptime := false
	for i, o := range c.objects {
		oids = append(oids, o.oid)
		needUptime = needUptime || o.Rate
		if o.oid == snmpUptimeOID && uptimeAt < 0 {
			uptimeAt = i
		}
	}
	if needUptime && uptimeAt < 0 {
		uptimeAt = len(oids)
		oids = append(oids, snmpUptimeOID)
	}
	return oids, uptimeAt
}

// client builds a fresh gosnmp client for one run: gosnmp keeps request
// ids and SNMPv3 engine state in it, so it is not shared between runs.
func (c *snmpChecker) client(ctx context.Context, host string, port uint16) *gosnmp.GoSNMP {
	budget := snmpDefaultBudget
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	// Each try gets an equal share of the time left; gosnmp also stops at
	// ctx's deadline.
	perTry := max(budget/time.Duration(c.s.Retries+1), 10*time.Millisecond)
	g := &gosnmp.GoSNMP{
		Target: host, Port: port, Transport: "udp", Version: c.version,
		Community: c.s.Community, Context: ctx, Timeout: perTry, Retries: c.s.Retries,
		MaxOids: gosnmp.MaxOids, ContextName: c.s.ContextName,
	}
	if c.version != gosnmp.Version3 {
		return g
	}
	usm := &gosnmp.UsmSecurityParameters{UserName: c.s.Username}
	g.SecurityModel = gosnmp.UserSecurityModel
	switch c.s.SecurityLevel {
	case "noAuthNoPriv":
		g.MsgFlags = gosnmp.NoAuthNoPriv
	case "authNoPriv":
		g.MsgFlags = gosnmp.AuthNoPriv
		usm.AuthenticationProtocol, usm.AuthenticationPassphrase = snmpAuthByName[c.s.AuthProtocol], c.s.AuthPassword
	default:
		g.MsgFlags = gosnmp.AuthPriv
		usm.AuthenticationProtocol, usm.AuthenticationPassphrase = snmpAuthByName[c.s.AuthProtocol], c.s.AuthPassword
		usm.PrivacyProtocol, usm.PrivacyPassphrase = snmpPrivByName[c.s.PrivProtocol], c.s.PrivPassword
	}
	g.SecurityParameters = usm
	return g
}

// requestError says why no usable answer came.
// last is the last datagram the agent sent, which may hold the SNMPv3
// report that explains the failure.
func (c *snmpChecker) requestError(ctx context.Context, err error, addr string, elapsed time.Duration, last []byte) string {
	for _, re := range snmpReportErrors {
		if errors.Is(err, re.err) {
			return c.reportMessage(re.oid)
		}
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "snmp: " + addr + ": connection refused: nothing listens on UDP port " + addr[strings.LastIndexByte(addr, ':')+1:]
	case errors.Is(err, gosnmp.ErrMaxRetriesExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, os.ErrDeadlineExceeded), ctx.Err() != nil:
		return fmt.Sprintf("snmp: no answer from %s in %s: %s", addr, elapsed.Round(100*time.Millisecond), c.silenceHint(len(last) > 0))
	}
	if c.version == gosnmp.Version3 {
		if msg := c.reportMessage(snmpReportOID(last, c.s.Username)); msg != "" {
			return msg
		}
	}
	if strings.HasPrefix(err.Error(), "recover:") {
		// gosnmp caught a panic decoding the answer; its text is a stack.
		return "snmp: " + addr + ": the answer could not be decoded"
	}
	return "snmp: " + addr + ": " + snmpTruncate(err.Error(), 200)
}

// silenceHint says what an agent's silence usually means. v1 and v2c
// agents drop a request with a wrong community without a word. A v3 agent
// that answered engine discovery (heard is true) but not the request
// could not decrypt it: it sends no report for that.
func (c *snmpChecker) silenceHint(heard bool) string {
	switch {
	case c.version != gosnmp.Version3:
		return "wrong community or not reachable"
	case heard && c.s.SecurityLevel == "authPriv":
		return "the agent answered SNMPv3 engine discovery but not the request: wrong priv_password or priv_protocol?"
	case heard:
		return "the agent answered SNMPv3 engine discovery but not the request"
	}
	return "not reachable, or not an SNMPv3 agent"
}

// answerProblem checks the answer's shape and error status; it returns ""
// for an answer with one value per OID asked.
func (c *snmpChecker) answerProblem(pkt *gosnmp.SnmpPacket, oids []string, uptimeAt int) string {
	if pkt.Error != gosnmp.NoError {
		what := "the request"
		if i := int(pkt.ErrorIndex) - 1; i >= 0 && i < len(oids) {
			what = c.objectLabel(i, oids, uptimeAt)
		}
		if pkt.Error == gosnmp.NoSuchName {
			return "snmp: " + what + ": no such object on this agent (noSuchName)"
		}
		return "snmp: the agent answered error " + pkt.Error.String() + " for " + what
	}
	if len(pkt.Variables) != len(oids) {
		return fmt.Sprintf("snmp: the agent answered %d value(s) for %d OIDs", len(pkt.Variables), len(oids))
	}
	for i, v := range pkt.Variables {
		if v.Name != oids[i] {
			return fmt.Sprintf("snmp: the agent answered %s where %s was asked", snmpTruncate(v.Name, 80), c.objectLabel(i, oids, uptimeAt))
		}
	}
	return ""
}

// objectLabel names the i-th OID asked for messages: "processes
// (1.3.6.1.2.1.25.1.6.0)".
func (c *snmpChecker) objectLabel(i int, oids []string, uptimeAt int) string {
	if i < len(c.objects) {
		return c.objects[i].Name + " (" + c.objects[i].OID + ")"
	}
	if i == uptimeAt {
		return "sysUpTime (" + strings.TrimPrefix(oids[i], ".") + ", read for rates)"
	}
	return strings.TrimPrefix(oids[i], ".")
}

// rateUpdate hands this run's counters to the rate state and returns the
// rates by object index.
func (c *snmpChecker) rateUpdate(target string, at time.Time, vars []gosnmp.SnmpPDU, uptimeAt int) []snmpRate {
	readings := make([]snmpReading, len(c.objects))
	wanted := false
	for i, o := range c.objects {
		if o.Rate {
			v := newSNMPValue(vars[i])
			readings[i] = snmpReading{counter: v.counter, bits: v.bits}
			wanted = true
		}
	}
	if !wanted {
		return nil
	}
	var uptime uint32
	hasUptime := false
	if uptimeAt >= 0 && vars[uptimeAt].Type == gosnmp.TimeTicks {
		uptime, hasUptime = vars[uptimeAt].Value.(uint32)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rates.update(target, at, uptime, hasUptime, readings)
}

// snmpTruncate shortens s to about n bytes for messages.
func snmpTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut-- // not inside a UTF-8 sequence
	}
	return s[:cut] + "…"
}
