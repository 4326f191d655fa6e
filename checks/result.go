package checks

import "time"

// Status is the outcome of one check run, and also a monitor's state.
type Status string

// The statuses a check result can have. A monitor may also be shown as
// StatusUnknown (no result yet) or StatusPaused; those never come from a check.
const (
	StatusUnknown Status = "unknown"
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusProblem Status = "problem"
	StatusPaused  Status = "paused"
)

// Valid reports whether s is a status a check may produce.
func (s Status) Valid() bool {
	return s == StatusOK || s == StatusWarning || s == StatusProblem
}

// Severity orders statuses so the worse of two can be chosen.
func (s Status) Severity() int {
	switch s {
	case StatusOK:
		return 1
	case StatusWarning:
		return 2
	case StatusProblem:
		return 3
	}
	return 0
}

// Worse returns the more severe of a and b.
func Worse(a, b Status) Status {
	if b.Severity() > a.Severity() {
		return b
	}
	return a
}

// Result is what one run of a check produced. A failing check is data, not
// a Go error: Status says how it went and Message says why.
type Result struct {
	At        time.Time          `json:"at"`
	Location  string             `json:"location"`
	Status    Status             `json:"status"`
	LatencyMS float64            `json:"latency_ms"`
	Message   string             `json:"message"`
	Values    map[string]float64 `json:"values,omitempty"`
}

// Latency returns the latency as a duration.
func (r Result) Latency() time.Duration {
	return time.Duration(r.LatencyMS * float64(time.Millisecond))
}

// Millis converts a duration to the float milliseconds results carry.
func Millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
