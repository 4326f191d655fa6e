package chart

import (
	"slices"
	"testing"
	"time"
)

func TestNiceScale(t *testing.T) {
	tests := []struct {
		name           string
		in             float64
		wantMax, wantS float64
	}{
		{"zero", 0, 1, 0.25},
		{"small", 0.7, 0.8, 0.2},
		{"typical", 240, 250, 50},
		{"exact", 400, 400, 100},
		{"seconds", 4321, 5000, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotMax, gotStep := niceScale(tc.in)
			if gotStep != tc.wantS {
				t.Errorf("step = %v, want %v", gotStep, tc.wantS)
			}
			if gotMax != tc.wantMax {
				t.Errorf("max = %v, want %v", gotMax, tc.wantMax)
			}
		})
	}
}

func TestTimeTicks(t *testing.T) {
	base := time.Date(2026, 11, 23, 8, 7, 0, 0, time.UTC)
	tests := []struct {
		name   string
		from   time.Time
		span   time.Duration
		labels []string
	}{
		{"1h", base, time.Hour, []string{"08:10", "08:20", "08:30", "08:40", "08:50", "09:00"}},
		{"24h", base, 24 * time.Hour, []string{"12:00", "18:00", "Nov 24", "06:00"}},
		{"7d", base, 7 * 24 * time.Hour, []string{"Nov 24", "Nov 25", "Nov 26", "Nov 27", "Nov 28", "Nov 29", "Nov 30"}},
		{"30d", base, 30 * 24 * time.Hour, []string{"Nov 30", "Dec 7", "Dec 14", "Dec 21"}},
		{"empty span", base, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range timeTicks(tc.from, tc.from.Add(tc.span)) {
				got = append(got, tk.label)
			}
			if !slices.Equal(got, tc.labels) {
				t.Errorf("labels = %q, want %q", got, tc.labels)
			}
		})
	}
}

func TestMsLabel(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0 ms"},
		{"fraction", 0.25, "0.25 ms"},
		{"ms", 250, "250 ms"},
		{"seconds", 1500, "1.5 s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := msLabel(tc.in); got != tc.want {
				t.Errorf("msLabel(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
