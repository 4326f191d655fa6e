package checks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// ResponseTime holds the latency thresholds every external type shares:
// settings response_time_warning_ms and response_time_error_ms (0 = off).
type ResponseTime struct {
	WarningMS int
	ErrorMS   int
}

// Validate checks that the thresholds are non-negative and ordered.
func (r ResponseTime) Validate() error {
	switch {
	case r.WarningMS < 0:
		return &SettingError{Field: "settings.response_time_warning_ms", Msg: "must be 0 (off) or a positive number of milliseconds"}
	case r.ErrorMS < 0:
		return &SettingError{Field: "settings.response_time_error_ms", Msg: "must be 0 (off) or a positive number of milliseconds"}
	case r.WarningMS > 0 && r.ErrorMS > 0 && r.WarningMS > r.ErrorMS:
		return &SettingError{Field: "settings.response_time_warning_ms", Msg: "must not be above response_time_error_ms"}
	}
	return nil
}

// Judge returns the status a latency earns and, when it is not ok, a short
// reason such as "slow: 812 ms > 500 ms".
func (r ResponseTime) Judge(latency time.Duration) (Status, string) {
	ms := Millis(latency)
	if r.ErrorMS > 0 && ms > float64(r.ErrorMS) {
		return StatusProblem, fmt.Sprintf("slow: %s > %d ms", fmtMS(ms), r.ErrorMS)
	}
	if r.WarningMS > 0 && ms > float64(r.WarningMS) {
		return StatusWarning, fmt.Sprintf("slow: %s > %d ms", fmtMS(ms), r.WarningMS)
	}
	return StatusOK, ""
}

// CertExpiry holds the certificate thresholds shared by types that see a
// certificate: cert_expiry_warning_days and cert_expiry_error_days.
type CertExpiry struct {
	WarningDays int
	ErrorDays   int
}

// Default certificate thresholds, in days.
const (
	DefaultCertWarningDays = 14
	DefaultCertErrorDays   = 3
)

// Validate checks that the thresholds are non-negative and ordered.
func (c CertExpiry) Validate() error {
	switch {
	case c.WarningDays < 0:
		return &SettingError{Field: "settings.cert_expiry_warning_days", Msg: "must be 0 (off) or a positive number of days"}
	case c.ErrorDays < 0:
		return &SettingError{Field: "settings.cert_expiry_error_days", Msg: "must be 0 (off) or a positive number of days"}
	case c.WarningDays > 0 && c.WarningDays < c.ErrorDays:
		return &SettingError{Field: "settings.cert_expiry_warning_days", Msg: "must not be below cert_expiry_error_days"}
	}
	return nil
}

// Judge returns the status for a certificate valid until notAfter, the
// days left (fractional, negative once expired) and, when it is not ok, a
// message such as "certificate expires in 5 days (2026-11-28)".
func (c CertExpiry) Judge(now, notAfter time.Time) (Status, float64, string) {
	left := notAfter.Sub(now).Hours() / 24
	date := notAfter.UTC().Format(time.DateOnly)
	if left < 0 {
		return StatusProblem, left, fmt.Sprintf("certificate expired %s ago (%s)", days(-left), date)
	}
	msg := fmt.Sprintf("certificate expires in %s (%s)", days(left), date)
	if c.ErrorDays > 0 && left < float64(c.ErrorDays) {
		return StatusProblem, left, msg
	}
	if c.WarningDays > 0 && left < float64(c.WarningDays) {
		return StatusWarning, left, msg
	}
	return StatusOK, left, ""
}

func days(d float64) string {
	n := int(math.Floor(d))
	switch n {
	case 0:
		return fmt.Sprintf("%.0f hours", d*24)
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// fmtMS formats milliseconds for messages: "0.4 ms", "42 ms".
func fmtMS(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// netErrorMessage turns a dial or I/O error into the few words a person
// needs: "connection refused", "timed out after 2s", "no such host".
func netErrorMessage(ctx context.Context, err error, elapsed time.Duration) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), ctx.Err() != nil:
		return "timed out after " + elapsed.Round(time.Millisecond).String()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "no such host " + dnsErr.Name
	case errors.As(err, &dnsErr):
		return "dns lookup of " + dnsErr.Name + " failed: " + dnsErr.Err
	}
	return err.Error()
}

// problem builds a failed Result.
func problem(latency time.Duration, msg string, values map[string]float64) Result {
	return Result{Status: StatusProblem, LatencyMS: Millis(latency), Message: msg, Values: values}
}

// splitHostPortDefault splits "host:port", adding port def when missing.
func splitHostPortDefault(target, def string) (host, port string, err error) {
	if h, p, err := net.SplitHostPort(target); err == nil {
		return h, p, nil
	}
	// A bare IPv6 address or a bare host name: no port given.
	h := target
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	if h == "" || def == "" {
		return "", "", fmt.Errorf("%q is not host:port", target)
	}
	return h, def, nil
}

// responseTimeSettings describes the two response-time thresholds every
// network type has; timed says what takes the time, as in "Warning when
// <timed> longer than …".
func responseTimeSettings(timed string) []Setting {
	return []Setting{
		{Name: "response_time_warning_ms", Kind: "int", Default: "0", Help: "Warning when " + timed + " longer than this many milliseconds; 0 is off."},
		{Name: "response_time_error_ms", Kind: "int", Default: "0", Help: "Problem when " + timed + " longer than this many milliseconds; 0 is off."},
	}
}

// caFileSetting and certExpirySettings are shared by the types that see
// a certificate.
var (
	caFileSetting      = Setting{Name: "ca_file", Kind: "string", Help: "PEM file of CA certificates to trust instead of the system's (for private CAs)."}
	certExpirySettings = []Setting{
		{Name: "cert_expiry_warning_days", Kind: "int", Default: strconv.Itoa(DefaultCertWarningDays), Help: "Warning when the certificate expires in fewer days; 0 is off."},
		{Name: "cert_expiry_error_days", Kind: "int", Default: strconv.Itoa(DefaultCertErrorDays), Help: "Problem when the certificate expires in fewer days; 0 is off."},
	}
)

// concatSettings joins lists of settings in order.
func concatSettings(lists ...[]Setting) []Setting {
	var out []Setting
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
