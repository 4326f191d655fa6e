package chart

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from golden file; run go test -update and review the diff\ngot:\n%s", name, got)
	}
}

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func raw(mins []int, ms []float64, status []string) []Point {
	pts := make([]Point, len(mins))
	for i, m := range mins {
		st := "ok"
		if status != nil {
			st = status[i]
		}
		pts[i] = Point{At: t0.Add(time.Duration(m) * time.Minute), Min: ms[i], Avg: ms[i], Max: ms[i], Status: st}
	}
	return pts
}

func TestSVGGolden(t *testing.T) {
	hourly := make([]Point, 0, 24)
	for i := range 24 {
		at := t0.Add(time.Duration(i) * time.Hour)
		hourly = append(hourly, Point{At: at, Min: 10 + float64(i%5), Avg: 20 + float64(i%7), Max: 40 + float64(i%3)*10, Status: "ok"})
	}
	hourly[9].Status = "warning"
	tests := []struct {
		name  string
		chart Chart
	}{
		{"empty", Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS}},
		{"raw_one_series", Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Series: []Series{
			{Name: "server", Points: raw([]int{0, 5, 10, 15, 20, 25, 30}, []float64{12, 15, 11, 240, 14, 13, 12},
				[]string{"ok", "ok", "ok", "problem", "ok", "warning", "ok"})},
		}}},
		{"gap_and_two_series", Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Series: []Series{
			{Name: "server", Points: raw([]int{0, 5, 10, 40, 45, 50}, []float64{12, 15, 11, 14, 13, 12}, nil)},
			{Name: "eu-west <1>", Points: raw([]int{2, 7, 12, 17}, []float64{30, 35, 31, 33}, nil)},
		}}},
		{"bucketed_day", Chart{From: t0, To: t0.Add(24 * time.Hour), Unit: UnitMS, Bucketed: true, Series: []Series{{Name: "server", Points: hourly}}}},
		// A small value chart: bytes on a binary axis, a gap the step
		// reveals, a problem value marked with its value.
		{"value_bytes", Chart{From: t0, To: t0.Add(time.Hour), Height: 150, Title: "Available bytes", Unit: UnitBytes,
			Step: time.Minute, Series: []Series{{Name: "web-01", Points: raw([]int{0, 1, 2, 10, 11},
				[]float64{3 << 30, 2.5 * (1 << 30), 2 * (1 << 30), 1 << 30, 0.5 * (1 << 30)}, []string{"ok", "ok", "warning", "ok", "problem"})}}}},
		{"value_negative", Chart{From: t0, To: t0.Add(time.Hour), Height: 150, Title: "Offset ms", Unit: UnitMS,
			Series: []Series{{Name: "server", Points: raw([]int{0, 5, 10, 15}, []float64{-12, 4, 30, -3}, nil)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, "chart_"+tc.name, SVG(tc.chart))
		})
	}
}

func TestSVGProperties(t *testing.T) {
	tests := []struct {
		name      string
		chart     Chart
		contains  []string
		lacks     []string
		polylines int
	}{
		{
			name:     "empty says so",
			chart:    Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{{Name: "server"}}},
			contains: []string{"No data in this range"},
			lacks:    []string{"<polyline"},
		},
		{
			name: "gap splits the line",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{
				{Name: "a", Points: raw([]int{0, 1, 2, 3, 30, 31, 32}, []float64{1, 2, 3, 4, 5, 6, 7}, nil)},
			}},
			polylines: 2,
		},
		{
			name: "names are escaped",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{
				{Name: `<script>alert("x")</script>`, Points: raw([]int{0, 1}, []float64{1, 2}, nil)},
				{Name: "b", Points: raw([]int{0, 1}, []float64{1, 2}, nil)},
			}},
			contains:  []string{"&lt;script&gt;"},
			lacks:     []string{"<script>"},
			polylines: 2,
		},
		{
			name: "band only when bucketed",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Bucketed: true, Series: []Series{
				{Name: "a", Points: []Point{{At: t0, Min: 1, Avg: 2, Max: 3}, {At: t0.Add(time.Minute), Min: 1, Avg: 2, Max: 3}}},
			}},
			contains:  []string{`class="ch-band s0"`},
			polylines: 1,
		},
		{
			name: "failed points break the line and do not pull it to 0",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Series: []Series{
				{Name: "a", Points: append(raw([]int{0, 1, 2}, []float64{100, 110, 120}, nil),
					Point{At: t0.Add(3 * time.Minute), Status: "problem", Failed: true},
					Point{At: t0.Add(4 * time.Minute), Status: "problem", Failed: true, Avg: 10000, Min: 10000, Max: 10000},
					Point{At: t0.Add(5 * time.Minute), Min: 105, Avg: 105, Max: 105, Status: "ok"},
					Point{At: t0.Add(6 * time.Minute), Min: 115, Avg: 115, Max: 115, Status: "ok"})},
			}},
			// The axis is scaled to the answers (120 ms), not the timeout.
			contains:  []string{`ch-pt-problem`, `<title>problem 2026-11-23 08:03:00</title>`, `>120 ms</text>`},
			lacks:     []string{`10 s`, `,230 `},
			polylines: 2,
		},
		{
			name: "a known step breaks a line of two points",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Step: time.Minute, Series: []Series{
				{Name: "a", Points: raw([]int{0, 40}, []float64{1, 2}, nil)},
			}},
			contains:  []string{`class="ch-dot s0"`},
			polylines: 0,
		},
		{
			name: "without a step two points are joined",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Series: []Series{
				{Name: "a", Points: raw([]int{0, 40}, []float64{1, 2}, nil)},
			}},
			polylines: 1,
		},
		{
			name: "the step does not break normal spacing",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Unit: UnitMS, Step: time.Minute, Series: []Series{
				{Name: "a", Points: raw([]int{0, 1, 2, 4, 5}, []float64{1, 2, 3, 4, 5}, nil)},
			}},
			polylines: 1,
		},
		{
			name:      "value chart titled with its unit",
			chart:     Chart{From: t0, To: t0.Add(time.Hour), Title: `Used <percent>`, Unit: UnitPercent, Series: []Series{{Name: "a", Points: raw([]int{0, 1}, []float64{40, 45}, nil)}}},
			contains:  []string{`aria-label="Used &lt;percent&gt; chart"`, `<title>Used &lt;percent&gt;</title>`, `>50%</text>`},
			lacks:     []string{" ms<"},
			polylines: 1,
		},
		{
			name: "problem points are marked",
			chart: Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{
				{Name: "a", Points: raw([]int{0, 1, 2}, []float64{1, 2, 3}, []string{"ok", "problem", "ok"})},
			}},
			contains:  []string{`ch-pt-problem`},
			lacks:     []string{`ch-pt-ok`, `ch-band`},
			polylines: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SVG(tc.chart)
			for _, s := range tc.contains {
				if !strings.Contains(got, s) {
					t.Errorf("missing %q in\n%s", s, got)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(got, s) {
					t.Errorf("unexpected %q in\n%s", s, got)
				}
			}
			if n := strings.Count(got, "<polyline"); n != tc.polylines {
				t.Errorf("polylines = %d, want %d", n, tc.polylines)
			}
			if SVG(tc.chart) != got {
				t.Error("output is not deterministic")
			}
		})
	}
}
