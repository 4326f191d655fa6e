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
		{"empty", Chart{From: t0, To: t0.Add(time.Hour)}},
		{"raw_one_series", Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{
			{Name: "server", Points: raw([]int{0, 5, 10, 15, 20, 25, 30}, []float64{12, 15, 11, 240, 14, 13, 12},
				[]string{"ok", "ok", "ok", "problem", "ok", "warning", "ok"})},
		}}},
		{"gap_and_two_series", Chart{From: t0, To: t0.Add(time.Hour), Series: []Series{
			{Name: "server", Points: raw([]int{0, 5, 10, 40, 45, 50}, []float64{12, 15, 11, 14, 13, 12}, nil)},
			{Name: "eu-west <1>", Points: raw([]int{2, 7, 12, 17}, []float64{30, 35, 31, 33}, nil)},
		}}},
		{"bucketed_day", Chart{From: t0, To: t0.Add(24 * time.Hour), Bucketed: true, Series: []Series{{Name: "server", Points: hourly}}}},
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
