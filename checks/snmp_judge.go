package checks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// snmpMessageParts bounds how much of the values the message lists.
const snmpMessageParts = 1000

// snmpVerdict collects the judgement of every object of one run.
type snmpVerdict struct {
	status Status
	parts  []string // each object as it reads: `uptime 3600 s`
	notes  []string // each failed condition: `processes 523 > 500 (error_max)`
	values map[string]float64
}

func (v *snmpVerdict) fail(st Status, format string, args ...any) {
	v.status = Worse(v.status, st)
	v.notes = append(v.notes, fmt.Sprintf(format, args...))
}

// judge turns the answered values (in the objects' order) and this run's
// rates into the result.
func (c *snmpChecker) judge(vars []gosnmp.SnmpPDU, rates []snmpRate, answered time.Duration, values map[string]float64) Result {
	v := &snmpVerdict{status: StatusOK, values: values}
	for i := range c.objects {
		var r snmpRate
		if i < len(rates) {
			r = rates[i]
		}
		c.objects[i].judge(vars[i], r, v)
	}
	if st, note := c.rt.Judge(answered); st != StatusOK {
		v.fail(st, "%s", note)
	}
	msg := snmpTruncate(strings.Join(v.parts, ", "), snmpMessageParts) + " in " + fmtMS(Millis(answered))
	if len(v.notes) > 0 {
		msg += ": " + strings.Join(v.notes, "; ")
	}
	return Result{Status: v.status, LatencyMS: Millis(answered), Message: msg, Values: v.values}
}

// judge checks one object's answer against its conditions.
func (o *snmpObject) judge(pdu gosnmp.SnmpPDU, r snmpRate, v *snmpVerdict) {
	if why, missing := snmpMissing(pdu.Type); missing {
		v.parts = append(v.parts, o.Name+" missing")
		v.fail(StatusProblem, "%s (%s): %s", o.Name, o.OID, why)
		return
	}
	val := newSNMPValue(pdu)
	if o.Rate {
		o.judgeRate(val, r, v)
		return
	}
	v.parts = append(v.parts, o.Name+" "+val.show())
	if o.hasRange() {
		if !val.numeric {
			v.fail(StatusProblem, "%s: %s (%s) is not a number, so its range cannot be checked", o.Name, val.show(), snmpTypeName(val.typ))
		} else {
			v.values[o.Name] = val.num
			o.judgeNumber(val.num, "", v)
		}
	} else if val.numeric {
		v.values[o.Name] = val.num
	}
	if o.Contains != "" && !strings.Contains(val.text, o.Contains) {
		v.fail(StatusProblem, "%s does not contain %q", o.Name, o.Contains)
	}
	if o.re != nil && !o.re.MatchString(val.text) {
		v.fail(StatusProblem, "%s does not match /%s/", o.Name, o.Regex)
	}
}

// judgeRate reports a counter's rate, or why there is none this run.
func (o *snmpObject) judgeRate(val snmpValue, r snmpRate, v *snmpVerdict) {
	if val.bits == 0 {
		v.parts = append(v.parts, o.Name+" "+val.show())
		v.fail(StatusProblem, "%s: a rate needs a Counter32 or Counter64, the agent answered %s", o.Name, snmpTypeName(val.typ))
		return
	}
	if !r.ok {
		// Skipped, not failed: the next run has a reading to compare with.
		v.parts = append(v.parts, o.Name+" ("+r.note+")")
		return
	}
	rate := roundHundredths(r.perSecond)
	v.parts = append(v.parts, o.Name+" "+snmpNumber(rate)+"/s")
	v.values[o.Name] = rate
	o.judgeNumber(rate, "/s", v)
}

// judgeNumber checks n against the error range first, then the warning
// range; unit follows the number in the note.
func (o *snmpObject) judgeNumber(n float64, unit string, v *snmpVerdict) {
	check := func(st Status, bound *float64, name string, below bool) bool {
		if bound == nil || (below && n >= *bound) || (!below && n <= *bound) {
			return false
		}
		op := ">"
		if below {
			op = "<"
		}
		v.fail(st, "%s %s%s %s %s (%s)", o.Name, snmpNumber(n), unit, op, snmpNumber(*bound), name)
		return true
	}
	if check(StatusProblem, o.ErrorMin, "error_min", true) || check(StatusProblem, o.ErrorMax, "error_max", false) {
		return
	}
	if !check(StatusWarning, o.WarningMin, "warning_min", true) {
		check(StatusWarning, o.WarningMax, "warning_max", false)
	}
}

// show writes a value for messages: strings quoted and shortened, time
// ticks in seconds.
func (v snmpValue) show() string {
	switch {
	case v.typ == gosnmp.TimeTicks && v.numeric:
		return snmpNumber(v.num) + " s"
	case v.numeric && v.typ != gosnmp.OctetString:
		return v.text
	}
	return strconv.Quote(snmpTruncate(v.text, 40))
}
