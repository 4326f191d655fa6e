package checks

import (
	"strings"
	"time"
)

// judge returns the status a rate earns and, when it is not ok, a note
// such as "slow_queries 12.5% ≥ 10% (error)".
func (l mysqlLimit) judge(rate string, v float64) (Status, string) {
	switch {
	case l.err > 0 && v >= l.err:
		return StatusProblem, rate + " " + mysqlNumber(v) + "% ≥ " + mysqlNumber(l.err) + "% (error)"
	case l.warn > 0 && v >= l.warn:
		return StatusWarning, rate + " " + mysqlNumber(v) + "% ≥ " + mysqlNumber(l.warn) + "% (warning)"
	}
	return StatusOK, ""
}

// judge builds the result of a run that read the counters: the rates
// against their thresholds, the time taken, the certificate when one was
// verified, then the notes on rates not reported.
func (c *mysqlChecker) judge(elapsed, connect, query time.Duration, run *mysqlRun, values, rates map[string]float64, notes []string) Result {
	r := Result{Status: StatusOK, LatencyMS: Millis(elapsed), Values: values}
	how := ""
	if run.tlsVer != 0 {
		how = " with TLS " + tlsVersionName(run.tlsVer)
	}
	r.Message = "connected" + how + " in " + fmtMS(Millis(connect)) + ", query in " + fmtMS(Millis(query))
	var parts []string
	add := func(st Status, note string) {
		if st != StatusOK {
			r.Status = Worse(r.Status, st)
			parts = append(parts, note)
		}
	}
	for i, rate := range mysqlRates {
		if v, ok := rates[rate.name]; ok {
			add(c.limits[i].judge(rate.name, v))
		}
	}
	add(c.rt.Judge(elapsed))
	if run.peer != nil && (c.s.TLS == mysqlTLSVerifyCA || c.s.TLS == mysqlTLSVerifyIdentity) {
		st, _, msg := c.cert.Judge(c.now(), run.peer.NotAfter)
		add(st, msg)
	}
	parts = append(parts, notes...)
	if len(parts) > 0 {
		r.Message += ": " + strings.Join(parts, "; ")
	}
	return r
}
