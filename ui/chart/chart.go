package chart

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Point is one point of a series: a raw result (Min = Avg = Max) or a rollup.
type Point struct {
	At            time.Time
	Min, Avg, Max float64 // ms
	Status        string  // the worst status in this point: "ok", "warning", "problem"
}

// Series is one line on a chart, typically one location.
type Series struct {
	Name   string
	Points []Point
}

// Chart is a response-time chart over [From, To].
type Chart struct {
	From, To time.Time
	Series   []Series
	// Bucketed is true when points are rollups; a min–max band is drawn then.
	Bucketed bool
	// Width and Height are the SVG's viewBox size; 0 means 800×260.
	Width, Height int
}

// maxSeries bounds the series styles; further series reuse them in turn.
const maxSeries = 6

// layout is the plot area inside the viewBox.
type layout struct {
	w, h                     float64
	left, right, top, bottom float64
	from, to                 time.Time
	yMax, yStep              float64
}

func (l layout) x(t time.Time) float64 {
	span := l.to.Sub(l.from)
	if span <= 0 {
		return l.left
	}
	f := float64(t.Sub(l.from)) / float64(span)
	return l.left + f*(l.w-l.left-l.right)
}

func (l layout) y(v float64) float64 {
	if l.yMax <= 0 {
		return l.h - l.bottom
	}
	v = math.Max(0, math.Min(v, l.yMax))
	return l.h - l.bottom - v/l.yMax*(l.h-l.top-l.bottom)
}

// SVG renders c as an inline <svg> element. A chart without points renders
// a frame with "No data in this range" instead of empty axes.
func SVG(c Chart) string {
	l := newLayout(c)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %s %s" role="img" aria-label="Response time chart" xmlns="http://www.w3.org/2000/svg">`,
		num(l.w), num(l.h))
	b.WriteString(`<title>Response time (ms)</title>`)
	if pointCount(c) == 0 {
		fmt.Fprintf(&b, `<rect class="ch-frame" x="0.5" y="0.5" width="%s" height="%s" rx="6"/>`, num(l.w-1), num(l.h-1))
		fmt.Fprintf(&b, `<text class="ch-empty" x="%s" y="%s" text-anchor="middle">No data in this range</text>`, num(l.w/2), num(l.h/2))
		b.WriteString(`</svg>`)
		return b.String()
	}
	writeAxes(&b, l)
	for i, s := range c.Series {
		writeSeries(&b, l, s, i, c.Bucketed)
	}
	if len(c.Series) > 1 {
		writeLegend(&b, l, c.Series)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func newLayout(c Chart) layout {
	l := layout{w: 800, h: 260, left: 56, right: 16, top: 14, bottom: 30}
	if c.Width > 0 && c.Height > 0 {
		l.w, l.h = float64(c.Width), float64(c.Height)
	}
	if len(c.Series) > 1 {
		l.top = 34
	}
	l.from, l.to = c.From, c.To
	if l.from.IsZero() || l.to.IsZero() || !l.to.After(l.from) {
		l.from, l.to = pointSpan(c)
	}
	maxV := 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			v := p.Avg
			if c.Bucketed {
				v = math.Max(v, p.Max)
			}
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				maxV = math.Max(maxV, v)
			}
		}
	}
	l.yMax, l.yStep = niceScale(maxV)
	return l
}

func pointCount(c Chart) int {
	n := 0
	for _, s := range c.Series {
		n += len(s.Points)
	}
	return n
}

func pointSpan(c Chart) (time.Time, time.Time) {
	var from, to time.Time
	for _, s := range c.Series {
		for _, p := range s.Points {
			if from.IsZero() || p.At.Before(from) {
				from = p.At
			}
			if p.At.After(to) {
				to = p.At
			}
		}
	}
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	return from, to
}

func writeAxes(b *strings.Builder, l layout) {
	for _, v := range valueTicks(l.yMax, l.yStep) {
		y := num(l.y(v))
		fmt.Fprintf(b, `<line class="ch-grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(l.left), y, num(l.w-l.right), y)
		fmt.Fprintf(b, `<text class="ch-label" x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			num(l.left-8), y, html.EscapeString(msLabel(v)))
	}
	base := num(l.h - l.bottom)
	fmt.Fprintf(b, `<line class="ch-axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(l.left), base, num(l.w-l.right), base)
	for _, tk := range timeTicks(l.from, l.to) {
		x := num(l.x(tk.at))
		fmt.Fprintf(b, `<line class="ch-tick" x1="%s" y1="%s" x2="%s" y2="%s"/>`, x, base, x, num(l.h-l.bottom+4))
		fmt.Fprintf(b, `<text class="ch-label" x="%s" y="%s" text-anchor="middle">%s</text>`,
			x, num(l.h-l.bottom+18), html.EscapeString(tk.label))
	}
}

// writeSeries draws one series: an optional min–max band, the average line
// split at gaps, and marks on warning and problem points.
func writeSeries(b *strings.Builder, l layout, s Series, i int, bucketed bool) {
	pts := sortedPoints(s.Points)
	cls := "s" + strconv.Itoa(i%maxSeries)
	runs := splitAtGaps(pts)
	if bucketed {
		for _, run := range runs {
			writeBand(b, l, run, cls)
		}
	}
	for _, run := range runs {
		if len(run) == 1 {
			fmt.Fprintf(b, `<circle class="ch-dot %s" cx="%s" cy="%s" r="2"/>`, cls, num(l.x(run[0].At)), num(l.y(run[0].Avg)))
			continue
		}
		fmt.Fprintf(b, `<polyline class="ch-line %s" points="`, cls)
		for j, p := range run {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(l.x(p.At)) + "," + num(l.y(p.Avg)))
		}
		b.WriteString(`"/>`)
	}
	for _, p := range pts {
		if p.Status != "problem" && p.Status != "warning" {
			continue
		}
		fmt.Fprintf(b, `<circle class="ch-pt ch-pt-%s" cx="%s" cy="%s" r="3.5"><title>%s %s: %s</title></circle>`,
			p.Status, num(l.x(p.At)), num(l.y(p.Avg)), html.EscapeString(p.Status),
			html.EscapeString(p.At.UTC().Format("2006-01-02 15:04:05")), html.EscapeString(msLabel(p.Avg)))
	}
}

func writeBand(b *strings.Builder, l layout, run []Point, cls string) {
	if len(run) < 2 {
		return
	}
	fmt.Fprintf(b, `<polygon class="ch-band %s" points="`, cls)
	for j, p := range run {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(l.x(p.At)) + "," + num(l.y(p.Max)))
	}
	for j := len(run) - 1; j >= 0; j-- {
		b.WriteString(" " + num(l.x(run[j].At)) + "," + num(l.y(run[j].Min)))
	}
	b.WriteString(`"/>`)
}

func writeLegend(b *strings.Builder, l layout, series []Series) {
	x := l.left
	for i, s := range series {
		cls := "s" + strconv.Itoa(i%maxSeries)
		fmt.Fprintf(b, `<rect class="ch-key %s" x="%s" y="8" width="12" height="4" rx="2"/>`, cls, num(x))
		fmt.Fprintf(b, `<text class="ch-label ch-legend" x="%s" y="10" dominant-baseline="middle">%s</text>`,
			num(x+18), html.EscapeString(s.Name))
		// Width estimate: names are short location names; 7 units per rune is plenty.
		x += 36 + 7*float64(len([]rune(s.Name)))
	}
}

func sortedPoints(in []Point) []Point {
	pts := make([]Point, 0, len(in))
	for _, p := range in {
		if math.IsNaN(p.Avg) || math.IsInf(p.Avg, 0) {
			continue
		}
		pts = append(pts, p)
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	return pts
}

// splitAtGaps cuts a sorted series where two neighbours lie much further
// apart than the usual spacing, so that missing data shows as a gap rather
// than a line drawn across it.
func splitAtGaps(pts []Point) [][]Point {
	if len(pts) < 3 {
		if len(pts) == 0 {
			return nil
		}
		return [][]Point{pts}
	}
	steps := make([]time.Duration, 0, len(pts)-1)
	for i := 1; i < len(pts); i++ {
		steps = append(steps, pts[i].At.Sub(pts[i-1].At))
	}
	sorted := append([]time.Duration(nil), steps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	limit := 3 * sorted[len(sorted)/2]
	var runs [][]Point
	start := 0
	for i, d := range steps {
		if d > limit {
			runs = append(runs, pts[start:i+1])
			start = i + 1
		}
	}
	return append(runs, pts[start:])
}

// num formats a coordinate with one decimal, trimming ".0", so output is
// compact and identical on every platform.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}
