package checks

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestHostLimitJudge(t *testing.T) {
	pct := hostLimit{warn: 90, err: 98, unit: hostPct}
	off := hostLimit{warn: hostOff, err: hostOff, unit: hostRate}
	cases := []struct {
		name   string
		limit  hostLimit
		v      float64
		status Status
		note   string
	}{
		{"below warning", pct, 89.9, StatusOK, ""},
		{"at warning", pct, 90, StatusOK, ""},
		{"above warning", pct, 93, StatusWarning, "(warning above 90%)"},
		{"above error", pct, 98.5, StatusProblem, "(problem above 98%)"},
		{"off never fires", off, math.MaxFloat64, StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, note := tc.limit.judge(tc.v)
			if st != tc.status || note != tc.note {
				t.Fatalf("judge(%v) = %s %q, want %s %q", tc.v, st, note, tc.status, tc.note)
			}
		})
	}
}

func TestHostRateLimit(t *testing.T) {
	cases := []struct {
		name      string
		warn, err float64
		field     string
		wantWarn  float64
	}{
		{"both off", 0, 0, "", hostOff},
		{"warning only", 5, 0, "", 5},
		{"ordered", 5, 10, "", 5},
		{"warning above error", 10, 5, "settings.w", 0},
		{"negative warning", -1, 0, "settings.w", 0},
		{"negative error", 0, -1, "settings.e", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := hostRateLimit(tc.warn, tc.err, "w", "e", hostRate)
			var se *SettingError
			if tc.field != "" {
				if !errors.As(err, &se) || se.Field != tc.field {
					t.Fatalf("error %v, want one naming %s", err, tc.field)
				}
				return
			}
			if err != nil || l.warn != tc.wantWarn {
				t.Fatalf("got %+v, %v; want warn %v", l, err, tc.wantWarn)
			}
		})
	}
}

func TestHostFormat(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"percent whole", hostPct(93), "93%"},
		{"percent tenth", hostPct(0.44), "0.4%"},
		{"bytes small", hostBytes(512), "512 B"},
		{"bytes kib", hostBytes(1536), "1.5 KiB"},
		{"bytes gib", hostBytes(120 << 30), "120 GiB"},
		{"rate", hostRate(3 << 20), "3.0 MiB/s"},
		{"number", hostNumber(0.355), "0.36"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestHostRounding(t *testing.T) {
	// Rounded values must be exact hundredths so the store keeps them as
	// small deltas.
	for _, v := range []float64{roundPercent(93.14159), roundHundredths(1.23456), roundMiB(123456789)} {
		if k := math.Round(v * 100); k/100 != v {
			t.Errorf("%v is not an exact number of hundredths", v)
		}
	}
	if got := roundMiB(3<<20 + 1000); got != 3<<20 {
		t.Errorf("roundMiB = %v, want %v", got, 3<<20)
	}
}

func TestHostSampleWaitHonoursDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := hostSampleWait(ctx, time.Hour); err != nil {
		t.Fatalf("wait: %v", err)
	}
	if el := time.Since(start); el > 30*time.Second {
		t.Fatalf("waited %v despite a 40ms deadline", el)
	}
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if err := hostSampleWait(cancelled, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait returned %v", err)
	}
}

// newHostChecker builds a checker of kind through the registry, as the
// agent will.
func newHostChecker(t *testing.T, kind, target, settings string) Checker {
	t.Helper()
	c, err := New(kind, target, json.RawMessage(settings))
	if err != nil {
		t.Fatalf("new %s: %v", kind, err)
	}
	return c
}

// runHost runs c with a generous deadline.
func runHost(t *testing.T, c Checker, target string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Check(ctx, target)
	if !r.Status.Valid() || r.Message == "" {
		t.Fatalf("result without status or message: %+v", r)
	}
	return r
}

// wantHostValue fails unless r has value key within lo..hi.
func wantHostValue(t *testing.T, r Result, key string, lo, hi float64) float64 {
	t.Helper()
	v, ok := r.Values[key]
	if !ok || v < lo || v > hi || math.IsNaN(v) {
		t.Fatalf("value %s = %v (present %v), want %v..%v; result %+v", key, v, ok, lo, hi, r)
	}
	return v
}

// wantStatusFor fails unless r's status is the one value v earns against
// warn and err percent, and the message says so.
func wantStatusFor(t *testing.T, r Result, v, warn, err float64) {
	t.Helper()
	want := StatusOK
	switch {
	case v > err:
		want = StatusProblem
	case v > warn:
		want = StatusWarning
	}
	if r.Status != want {
		t.Fatalf("status %s for %v with limits %v/%v, want %s: %q", r.Status, v, warn, err, want, r.Message)
	}
	if want != StatusOK && !strings.Contains(r.Message, "above") {
		t.Fatalf("message %q does not name the threshold", r.Message)
	}
}

// TestHostTypesRegistered keeps the host types' registrations in step
// with this package's tables: scope host, and a validation table each.
func TestHostTypesRegistered(t *testing.T) {
	for _, name := range []string{"cpu", "memory", "swap", "disk", "load", "network", "process", "logfile", "shell"} {
		t.Run(name, func(t *testing.T) {
			typ, ok := Lookup(name)
			if !ok {
				t.Fatal("not registered")
			}
			if typ.Scope != ScopeHost {
				t.Errorf("scope %q, want host", typ.Scope)
			}
			if len(validationCases[name]) == 0 {
				t.Errorf("no validation table in validationCases")
			}
		})
	}
}
