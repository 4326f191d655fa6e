package chart

import (
	"math"
	"slices"
	"testing"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		unit Unit
		want string
	}{
		{"ms", 250, UnitMS, "250 ms"},
		{"ms as seconds", 1500, UnitMS, "1.5 s"},
		{"percent", 42.123, UnitPercent, "42.12%"},
		{"bytes", 512, UnitBytes, "512 B"},
		{"mebibytes", 512 << 20, UnitBytes, "512 MiB"},
		{"gibibytes", 1.5 * (1 << 30), UnitBytes, "1.5 GiB"},
		{"rate", 12 << 20, UnitBytesPerSec, "12 MiB/s"},
		{"per second", 3.5, UnitPerSec, "3.5/s"},
		{"thousands per second", 12500, UnitPerSec, "12.5k/s"},
		{"plain", 7, UnitNone, "7"},
		{"millions", 3_200_000, UnitNone, "3.2M"},
		{"negative", -1500, UnitNone, "-1.5k"},
		{"days", 30, UnitDays, "30 d"},
		{"other unit", 3, Unit("queries"), "3 queries"},
		{"not a number", math.NaN(), UnitNone, "—"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatValue(tc.v, tc.unit); got != tc.want {
				t.Errorf("FormatValue(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
			}
		})
	}
}

func TestNiceRange(t *testing.T) {
	tests := []struct {
		name           string
		lo, hi, div    float64
		min, max, step float64
		ticks          []float64
	}{
		{"from zero", 0, 240, 1, 0, 250, 50, []float64{0, 50, 100, 150, 200, 250}},
		{"negative", -12, 30, 1, -20, 30, 10, []float64{-20, -10, 0, 10, 20, 30}},
		{"gibibytes step whole", 0, 7.3 * (1 << 30), 1 << 30, 0, 8 * (1 << 30), 2 * (1 << 30), nil},
		{"all zero", 0, 0, 1, 0, 1, 0.25, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi, step := niceRange(tc.lo, tc.hi, tc.div, 6)
			if lo != tc.min || hi != tc.max || step != tc.step {
				t.Errorf("niceRange(%v, %v) = %v..%v step %v, want %v..%v step %v", tc.lo, tc.hi, lo, hi, step, tc.min, tc.max, tc.step)
			}
			if tc.ticks != nil {
				if got := valueTicks(lo, hi, step); !slices.Equal(got, tc.ticks) {
					t.Errorf("ticks = %v, want %v", got, tc.ticks)
				}
			}
		})
	}
}
