package ui

import (
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/ui/chart"
)

func TestValueUnitAndLabel(t *testing.T) {
	tests := []struct {
		key   string
		unit  chart.Unit
		label string
	}{
		{"used_percent", chart.UnitPercent, "Used percent"},
		{"percent", chart.UnitPercent, "Percent"},
		{"step_1_ms", chart.UnitMS, "Step 1 ms"},
		{"rx_bytes_per_second", chart.UnitBytesPerSec, "Rx bytes per second"},
		{"available_bytes", chart.UnitBytes, "Available bytes"},
		{"errors_per_second", chart.UnitPerSec, "Errors per second"},
		{"slow_queries_per_s", chart.UnitPerSec, "Slow queries per s"},
		{"cert_days_left", chart.UnitDays, "Cert days left"},
		{"load1", chart.UnitNone, "Load1"},
		{"1.3.6.1.2.1.1.3.0", chart.UnitNone, "1.3.6.1.2.1.1.3.0"},
		{"__", chart.UnitNone, "__"},
		{"émission_ms", chart.UnitMS, "Émission ms"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			if got := valueUnit(tc.key); got != tc.unit {
				t.Errorf("valueUnit(%q) = %q, want %q", tc.key, got, tc.unit)
			}
			if got := valueLabel(tc.key); got != tc.label {
				t.Errorf("valueLabel(%q) = %q, want %q", tc.key, got, tc.label)
			}
		})
	}
}

// TestValuesPlacement: a host check's values come before its response
// time and its lead value replaces the latency in the summary; other
// checks keep the response time first.
func TestValuesPlacement(t *testing.T) {
	web := sampleMonitor()
	web.Values = sampleHostMonitor().Values
	tests := []struct {
		name        string
		p           MonitorProps
		valuesFirst bool
		lead        string
	}{
		{"host check", sampleHostMonitor(), true, "43.2%"},
		{"web check", web, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := render(t, MonitorPage(tc.p))
			values := strings.Index(page, `data-testid="values"`)
			latency := strings.Index(page, `<h2>Response time</h2>`)
			if values < 0 || latency < 0 {
				t.Fatalf("values at %d, response time at %d", values, latency)
			}
			if (values < latency) != tc.valuesFirst {
				t.Errorf("values before the response time: %v, want %v", values < latency, tc.valuesFirst)
			}
			if n := strings.Count(page, `aria-label="Time range"`); n != 1 {
				t.Errorf("%d range tab bars, want 1", n)
			}
			lead := findAll(parse(t, page), byTestID("lead-value"))
			switch {
			case tc.lead == "" && len(lead) != 0:
				t.Error("a lead value is shown for a check without one")
			case tc.lead != "" && (len(lead) != 1 || !strings.Contains(text(lead[0]), tc.lead)):
				t.Errorf("lead value %v, want one reading %q", lead, tc.lead)
			}
		})
	}
}

func TestUnitOfPrefersTheTypesUnit(t *testing.T) {
	if got := unitOf("slow_queries", "%"); got != chart.UnitPercent {
		t.Errorf("unitOf(slow_queries, %%) = %q", got)
	}
	if got := unitOf("connect_ms", ""); got != chart.UnitMS {
		t.Errorf("unitOf(connect_ms, \"\") = %q", got)
	}
}
