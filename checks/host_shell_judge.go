package checks

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// shellVerdict is what the parts of a shell check that are on decided:
// the worst status, the reasons that earned it, and the number read.
type shellVerdict struct {
	status   Status
	reasons  []string
	value    float64
	hasValue bool
}

// shellPart is one part's status and why, as "exit 1" or "value 97 not
// in ..90".
type shellPart struct {
	status Status
	why    string
}

// judge applies each part that is on to a finished run; the message
// names every part whose status is the verdict, so it says what decided.
func (c *shellChecker) judge(r shellRun) shellVerdict {
	var v shellVerdict
	var parts []shellPart
	if c.useExit {
		parts = append(parts, shellExitPart(r))
	}
	if c.ok != nil || c.warn != nil || c.valueRe != nil {
		v.value, v.hasValue = c.number(r.output)
		if c.ok != nil || c.warn != nil {
			parts = append(parts, c.rangePart(v.value, v.hasValue))
		}
	}
	if c.match != nil {
		parts = append(parts, c.match.judge(r.output))
	}
	if len(parts) == 0 {
		// Nothing judges the run: that it ran to its end is ok.
		return shellVerdict{status: StatusOK, reasons: []string{shellExitText(r)}, value: v.value, hasValue: v.hasValue}
	}
	v.status = StatusOK
	for _, p := range parts {
		v.status = Worse(v.status, p.status)
	}
	for _, p := range parts {
		if p.status == v.status {
			v.reasons = append(v.reasons, p.why)
		}
	}
	return v
}

// shellExitPart reads the exit code as Nagios plugins mean it.
func shellExitPart(r shellRun) shellPart {
	st := StatusProblem
	switch {
	case r.signal != "":
	case r.exitCode == 0:
		st = StatusOK
	case r.exitCode == 1:
		st = StatusWarning
	}
	return shellPart{st, shellExitText(r)}
}

// shellExitText is "exit 2", or "killed by signal 9" when a signal ended
// the command.
func shellExitText(r shellRun) string {
	if r.signal != "" {
		return "killed by " + r.signal
	}
	return "exit " + strconv.Itoa(r.exitCode)
}

// rangePart judges the number read against the ok and warning ranges.
func (c *shellChecker) rangePart(v float64, found bool) shellPart {
	num := strconv.FormatFloat(v, 'g', -1, 64)
	switch {
	case !found:
		return shellPart{StatusProblem, "no number in the output"}
	case c.ok != nil && !c.ok.contains(v):
		return shellPart{StatusProblem, "value " + num + " not in " + c.ok.String()}
	case c.warn != nil && !c.warn.contains(v):
		return shellPart{StatusWarning, "value " + num + " not in warning range " + c.warn.String()}
	case c.ok != nil:
		return shellPart{StatusOK, "value " + num + " in " + c.ok.String()}
	}
	return shellPart{StatusOK, "value " + num + " in " + c.warn.String()}
}

// shellNumber finds a decimal number, with sign, fraction and exponent.
var shellNumber = regexp.MustCompile(`[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`)

// number reads the value: value_regex's capture group, or else the first
// number in the output. A sign glued to a word ("load-5") is not a sign.
func (c *shellChecker) number(out []byte) (float64, bool) {
	var text []byte
	if c.valueRe != nil {
		m := c.valueRe.FindSubmatchIndex(out)
		if m == nil || m[2] < 0 {
			return 0, false
		}
		text = bytes.TrimSpace(out[m[2]:m[3]])
	} else {
		m := shellNumber.FindIndex(out)
		if m == nil {
			return 0, false
		}
		text = out[m[0]:m[1]]
		if (text[0] == '-' || text[0] == '+') && m[0] > 0 && isWordByte(out[m[0]-1]) {
			text = text[1:]
		}
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// shellRange is an inclusive range of numbers; a side that is not set
// is unbounded.
type shellRange struct {
	lo, hi       float64
	hasLo, hasHi bool
}

// parseShellRange reads "LOW..HIGH", either side empty; "" is no range.
// Errors name settings.<field>.
func parseShellRange(s, field string) (*shellRange, error) {
	if s == "" {
		return nil, nil
	}
	bad := func(msg string) error { return &SettingError{Field: "settings." + field, Msg: msg} }
	lo, hi, ok := strings.Cut(s, "..")
	if !ok {
		return nil, bad(fmt.Sprintf(`must be "LOW..HIGH" such as "0..100", "..100" or "5..", not %q`, s))
	}
	var r shellRange
	var err error
	if r.lo, r.hasLo, err = parseShellBound(lo); err != nil {
		return nil, bad(err.Error())
	}
	if r.hi, r.hasHi, err = parseShellBound(hi); err != nil {
		return nil, bad(err.Error())
	}
	switch {
	case !r.hasLo && !r.hasHi:
		return nil, bad(`give at least one bound, as "..100" or "5.."`)
	case r.hasLo && r.hasHi && r.lo > r.hi:
		return nil, bad(fmt.Sprintf("range %s runs backwards", r.String()))
	}
	return &r, nil
}

// parseShellBound reads one side of a range; "" is no bound.
func parseShellBound(s string) (float64, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%q is not a number", s)
	}
	return v, true, nil
}

func (r *shellRange) contains(v float64) bool {
	return (!r.hasLo || v >= r.lo) && (!r.hasHi || v <= r.hi)
}

// covers reports whether every number in w is in r.
func (r *shellRange) covers(w *shellRange) bool {
	loOK := !r.hasLo || w.hasLo && w.lo >= r.lo
	hiOK := !r.hasHi || w.hasHi && w.hi <= r.hi
	return loOK && hiOK
}

// String writes the range as parseShellRange reads it.
func (r *shellRange) String() string {
	var b strings.Builder
	if r.hasLo {
		b.WriteString(strconv.FormatFloat(r.lo, 'g', -1, 64))
	}
	b.WriteString("..")
	if r.hasHi {
		b.WriteString(strconv.FormatFloat(r.hi, 'g', -1, 64))
	}
	return b.String()
}

// shellMatch is the contains or regex test and what a match means.
type shellMatch struct {
	text           string
	re             *regexp.Regexp
	problemOnMatch bool
}

// newShellMatch validates contains, regex and match_means; nil when
// neither pattern is set.
func newShellMatch(contains, regex, means string) (*shellMatch, error) {
	switch {
	case means != "ok" && means != "problem":
		return nil, &SettingError{Field: "settings.match_means", Msg: `must be "ok" or "problem"`}
	case contains != "" && regex != "":
		return nil, &SettingError{Field: "settings.regex", Msg: "set contains or regex, not both"}
	case contains == "" && regex == "" && means == "problem":
		return nil, &SettingError{Field: "settings.match_means", Msg: "needs contains or regex to say what is a problem"}
	case contains == "" && regex == "":
		return nil, nil
	}
	m := &shellMatch{text: contains, problemOnMatch: means == "problem"}
	if regex != "" {
		re, err := regexp.Compile(regex)
		if err != nil {
			return nil, &SettingError{Field: "settings.regex", Msg: "not a valid regular expression: " + regexpErrText(err)}
		}
		m.re = re
	}
	return m, nil
}

// judge searches the output; the reason quotes the pattern, cut short.
func (m *shellMatch) judge(out []byte) shellPart {
	var found bool
	var why string
	if m.re != nil {
		// Without its final line break, so "ok$" matches "ok\n".
		found = m.re.Match(bytes.TrimRight(out, "\r\n"))
		why = "match /" + shellCut(m.re.String(), 40) + "/"
		if found {
			why = "matches /" + shellCut(m.re.String(), 40) + "/"
		}
	} else {
		found = bytes.Contains(out, []byte(m.text))
		why = "contain " + strconv.Quote(shellCut(m.text, 40))
		if found {
			why = "contains " + strconv.Quote(shellCut(m.text, 40))
		}
	}
	if !found {
		why = "does not " + why
	}
	if found == m.problemOnMatch {
		return shellPart{StatusProblem, why}
	}
	return shellPart{StatusOK, why}
}
