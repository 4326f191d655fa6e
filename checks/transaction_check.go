package checks

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Check runs the steps in order with one cookie jar. The first step that
// fails ends the run with a problem naming it; a step slower than its
// max_ms is a warning and the run goes on.
func (c *transactionChecker) Check(ctx context.Context, target string) Result {
	base, err := url.Parse(target)
	if err != nil {
		return problem(0, "bad target: "+err.Error(), nil)
	}
	run := c.newRun(base)
	defer run.transport.CloseIdleConnections()
	values := map[string]float64{}
	start := time.Now()
	status, failure, passed := StatusOK, "", 0
	var notes []string
	for _, st := range c.steps {
		out := run.step(ctx, st, base)
		if out.answered {
			values[stepKey(st.num)] = roundMS(Millis(out.elapsed))
		}
		if out.failure != "" {
			status, failure = StatusProblem, st.label+": "+out.failure
			break
		}
		passed++
		if out.note != "" {
			status = Worse(status, StatusWarning)
			notes = append(notes, st.label+": "+out.note)
		}
	}
	elapsed := time.Since(start)
	values["total_ms"] = roundMS(Millis(elapsed))
	values["steps_ok"] = float64(passed)
	if expiry := run.earliestExpiry(); !expiry.IsZero() {
		st, left, msg := c.cert.Judge(c.now(), expiry)
		values["cert_days_left"] = roundDays(left)
		if st != StatusOK {
			status, notes = Worse(status, st), append(notes, msg)
		}
	}
	if st, note := c.rt.Judge(elapsed); st != StatusOK {
		status, notes = Worse(status, st), append(notes, note)
	}
	r := Result{Status: status, LatencyMS: Millis(elapsed), Values: values}
	// The last line: shown() already keeps the password out of what a
	// step says, but a result is read by every viewer of the monitor.
	r.Message = c.secret.hide(c.message(failure, passed, elapsed, notes))
	return r
}

// message reads "4 steps ok in 312 ms", or names the failing step first:
// "step 3 'submit login': status 403, want 200-299"; warnings follow.
func (c *transactionChecker) message(failure string, passed int, elapsed time.Duration, notes []string) string {
	msg := failure
	if msg == "" {
		noun := "steps"
		if passed == 1 {
			noun = "step"
		}
		msg = fmt.Sprintf("%d %s ok in %s", passed, noun, fmtMS(Millis(elapsed)))
	}
	if len(notes) == 0 {
		return msg
	}
	sep := ": "
	if failure != "" {
		sep = "; "
	}
	return msg + sep + strings.Join(notes, "; ")
}
