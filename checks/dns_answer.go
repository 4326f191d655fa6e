package checks

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// judge turns a DNS response into a Result.
func (c *dnsChecker) judge(resp *dns.Msg, name string, elapsed time.Duration) Result {
	rcode := dns.RcodeToString[resp.Rcode]
	values := map[string]float64{"rcode": float64(resp.Rcode)}
	if resp.Rcode != dns.RcodeSuccess {
		values["answers"] = 0
		return problem(elapsed, fmt.Sprintf("%s for %s %s", rcode, c.s.RecordType, name), values)
	}
	answers := c.answers(resp)
	values["answers"] = float64(len(answers))
	if len(answers) == 0 {
		return problem(elapsed, fmt.Sprintf("no %s record (NOERROR, empty answer)", c.s.RecordType), values)
	}
	if missing := c.missing(answers); len(missing) > 0 {
		return problem(elapsed, fmt.Sprintf("expected %s not in answers: %s", strings.Join(missing, ", "), summarize(answers)), values)
	}
	r := Result{Status: StatusOK, LatencyMS: Millis(elapsed), Values: values,
		Message: fmt.Sprintf("%s %s in %s", c.s.RecordType, summarize(answers), fmtMS(Millis(elapsed)))}
	if st, note := c.rt.Judge(elapsed); st != StatusOK {
		r.Status, r.Message = st, r.Message+": "+note
	}
	return r
}

// answers renders the answer records of the asked type as text: an
// address, a name, "10 mail.example.com", TXT strings joined.
func (c *dnsChecker) answers(resp *dns.Msg) []string {
	var out []string
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype != c.qtype {
			continue
		}
		if txt, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(txt.Txt, ""))
			continue
		}
		out = append(out, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	return out
}

// missing returns the expected values that no answer matches. An expected
// value matches an answer equal to it, or the answer's last field (so
// "mail.example.com" matches "10 mail.example.com"); names compare without
// case or trailing dot, addresses in canonical form, TXT exactly.
func (c *dnsChecker) missing(answers []string) []string {
	var miss []string
	for _, want := range c.s.Expect {
		found := false
		for _, got := range answers {
			if c.matches(want, got) {
				found = true
				break
			}
		}
		if !found {
			miss = append(miss, want)
		}
	}
	return miss
}

func (c *dnsChecker) matches(want, got string) bool {
	if c.qtype == dns.TypeTXT {
		return want == got
	}
	w, g := normRdata(want), normRdata(got)
	if w == g {
		return true
	}
	fields := strings.Fields(g)
	return len(fields) > 1 && fields[len(fields)-1] == w
}

func normRdata(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		f = strings.ToLower(strings.TrimSuffix(strings.Trim(f, `"`), "."))
		if a, err := netip.ParseAddr(f); err == nil {
			f = a.String()
		}
		fields[i] = f
	}
	return strings.Join(fields, " ")
}

// summarize lists up to three answers for a message.
func summarize(answers []string) string {
	const shown = 3
	if len(answers) <= shown {
		return strings.Join(answers, ", ")
	}
	return fmt.Sprintf("%s (+%d more)", strings.Join(answers[:shown], ", "), len(answers)-shown)
}
