package chart

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		name     string
		values   []float64
		empty    bool
		polyline bool
	}{
		{"no values", nil, true, false},
		{"only NaN", []float64{math.NaN(), math.Inf(1)}, true, false},
		{"one value", []float64{12}, false, false},
		{"several", []float64{12, 15, 9, 30, 11}, false, true},
		{"all zero", []float64{0, 0, 0}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sparkline(tc.values, 120, 28)
			if (got == "") != tc.empty {
				t.Fatalf("empty = %v, want %v: %q", got == "", tc.empty, got)
			}
			if strings.Contains(got, "<polyline") != tc.polyline {
				t.Errorf("polyline = %v, want %v: %s", !tc.polyline, tc.polyline, got)
			}
			if strings.Contains(got, "NaN") || strings.Contains(got, "Inf") {
				t.Errorf("non-finite coordinate in %s", got)
			}
		})
	}
	t.Run("golden", func(t *testing.T) {
		golden(t, "sparkline", Sparkline([]float64{12, 15, 9, 30, 11, 14, 13}, 120, 28))
	})
}

func TestTimeline(t *testing.T) {
	from := t0
	to := t0.Add(24 * time.Hour)
	segs := []Segment{
		{From: t0.Add(2 * time.Hour), To: t0.Add(10 * time.Hour), Status: "ok"},
		{From: t0.Add(10 * time.Hour), To: t0.Add(11 * time.Hour), Status: "problem"},
		{From: t0.Add(11 * time.Hour), To: t0.Add(30 * time.Hour), Status: "warning"}, // runs past to: clipped
		{From: t0.Add(-5 * time.Hour), To: t0.Add(-1 * time.Hour), Status: "ok"},      // before from: dropped
		{From: t0.Add(12 * time.Hour), To: t0.Add(13 * time.Hour), Status: `"><x`},    // unknown status
	}
	got := Timeline(from, to, segs, 1000, 24)
	tests := []struct {
		name, want string
	}{
		{"ok segment", `class="tl-ok" x="83.3" y="0" width="333.3"`},
		{"problem titled in words", `<title>problem · Nov 23 18:00 – Nov 23 19:00</title>`},
		{"clipped at the end", `class="tl-warning" x="458.3" y="0" width="541.7"`},
		{"odd status escaped and classed unknown", `class="tl-unknown"`},
		{"summary for screen readers", `aria-label="Status timeline: ok 8 h, warning 13 h, problem 1 h, unknown 1 h"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(got, tc.want) {
				t.Errorf("missing %q in\n%s", tc.want, got)
			}
		})
	}
	if strings.Contains(got, `"><x`) {
		t.Errorf("status not escaped:\n%s", got)
	}
	if strings.Count(got, "tl-ok") != 1 {
		t.Errorf("segment before the range was drawn:\n%s", got)
	}
	t.Run("golden", func(t *testing.T) { golden(t, "timeline", got) })
}
