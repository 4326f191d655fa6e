package checks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// hostSampleWindow is how long a stateful host check (cpu, network)
// measures on its first run, when it has no previous run to compare with.
const hostSampleWindow = 500 * time.Millisecond

// hostOff is the limit of a threshold that is turned off: no value is
// above it.
var hostOff = math.Inf(1)

// hostLimit is one pair of "higher is worse" thresholds. A value above
// warn is a warning and above err a problem; hostOff disables either.
type hostLimit struct {
	warn, err float64
	unit      func(float64) string // formats a value or limit for messages
}

// judge returns the status v earns and, when it is not ok, a note such as
// "(warning above 90%)".
func (l hostLimit) judge(v float64) (Status, string) {
	switch {
	case v > l.err:
		return StatusProblem, "(problem above " + l.unit(l.err) + ")"
	case v > l.warn:
		return StatusWarning, "(warning above " + l.unit(l.warn) + ")"
	}
	return StatusOK, ""
}

// hostPercentLimit validates a pair of percent settings (0 to 100,
// warning not above error) named warnName and errName.
func hostPercentLimit(warn, err int, warnName, errName string) (hostLimit, error) {
	switch {
	case warn < 0 || warn > 100:
		return hostLimit{}, &SettingError{Field: "settings." + warnName, Msg: "must be between 0 and 100"}
	case err < 0 || err > 100:
		return hostLimit{}, &SettingError{Field: "settings." + errName, Msg: "must be between 0 and 100"}
	case warn > err:
		return hostLimit{}, &SettingError{Field: "settings." + warnName, Msg: "must not be above " + errName}
	}
	return hostLimit{warn: float64(warn), err: float64(err), unit: hostPct}, nil
}

// hostRateLimit validates a pair of non-negative thresholds where 0 is
// off, such as bytes or errors per second.
func hostRateLimit(warn, err float64, warnName, errName string, unit func(float64) string) (hostLimit, error) {
	switch {
	case warn < 0 || math.IsNaN(warn):
		return hostLimit{}, &SettingError{Field: "settings." + warnName, Msg: "must be 0 (off) or a positive number"}
	case err < 0 || math.IsNaN(err):
		return hostLimit{}, &SettingError{Field: "settings." + errName, Msg: "must be 0 (off) or a positive number"}
	case warn > 0 && err > 0 && warn > err:
		return hostLimit{}, &SettingError{Field: "settings." + warnName, Msg: "must not be above " + errName}
	}
	l := hostLimit{warn: warn, err: err, unit: unit}
	if warn == 0 {
		l.warn = hostOff
	}
	if err == 0 {
		l.err = hostOff
	}
	return l, nil
}

// hostVerdict gathers the parts of a host check's message and the worst
// status among them.
type hostVerdict struct {
	status Status
	msg    []byte
}

// add appends part (and note, when the part is not ok) to the message.
func (v *hostVerdict) add(part string, st Status, note string) {
	if len(v.msg) > 0 {
		v.msg = append(v.msg, ", "...)
	}
	v.msg = append(v.msg, part...)
	if note != "" {
		v.msg = append(v.msg, ' ')
		v.msg = append(v.msg, note...)
	}
	v.status = Worse(v.status, st)
}

// result returns the Result with values and the time the run took.
func (v *hostVerdict) result(start time.Time, values map[string]float64) Result {
	st := v.status
	if !st.Valid() {
		st = StatusOK
	}
	return Result{Status: st, LatencyMS: Millis(time.Since(start)), Message: string(v.msg), Values: values}
}

// hostSampleWait waits window, shortened to half the time ctx has left,
// so a first sample never runs a check past its deadline.
func hostSampleWait(ctx context.Context, window time.Duration) error {
	if dl, ok := ctx.Deadline(); ok {
		window = min(window, time.Until(dl)/2)
	}
	if window <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(window)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hostReadProblem turns a failed reading into a problem Result.
func hostReadProblem(ctx context.Context, start time.Time, what string, err error) Result {
	el := time.Since(start)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return problem(el, what+": timed out after "+el.Round(time.Millisecond).String(), nil)
	}
	return problem(el, what+": "+err.Error(), nil)
}

// anyTarget is the ValidateTarget of host types that ignore the target.
func anyTarget(string) error { return nil }

// roundPercent rounds a percentage to 0.1: finer digits are noise, and a
// whole number of tenths is what the store's value deltas keep small.
func roundPercent(p float64) float64 {
	return math.Round(p*10) / 10
}

// roundMiB rounds a byte count to whole MiB (still in bytes), so a value
// that moves by a few pages between runs is stored as unchanged.
func roundMiB(b uint64) float64 {
	return math.Round(float64(b)/(1<<20)) * (1 << 20)
}

// roundHundredths rounds load averages and per-second counts to 0.01.
func roundHundredths(v float64) float64 {
	return math.Round(v*100) / 100
}

// hostPct formats a percentage for messages: "93%", "0.4%".
func hostPct(p float64) string {
	return strconv.FormatFloat(roundPercent(p), 'f', -1, 64) + "%"
}

// hostBytes formats a byte count for messages: "512 B", "1.5 GiB".
func hostBytes(b float64) string {
	const units = "KMGTPE"
	if b < 1024 {
		return fmt.Sprintf("%.0f B", b)
	}
	i := 0
	for b /= 1024; b >= 1024 && i < len(units)-1; i++ {
		b /= 1024
	}
	if b < 10 {
		return fmt.Sprintf("%.1f %ciB", b, units[i])
	}
	return fmt.Sprintf("%.0f %ciB", b, units[i])
}

// hostRate formats a rate in bytes per second: "1.2 MiB/s".
func hostRate(b float64) string { return hostBytes(b) + "/s" }

// hostNumber formats a plain number with up to two decimals: "2", "0.35".
func hostNumber(v float64) string {
	return strconv.FormatFloat(roundHundredths(v), 'f', -1, 64)
}
