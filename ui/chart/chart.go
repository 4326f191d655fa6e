package chart

import (
	"fmt"
	"html"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Point is one point of a series: a raw result (Min = Avg = Max) or a rollup.
type Point struct {
	At            time.Time
	Min, Avg, Max float64 // in the chart's Unit
	Status        string  // the worst status in this point: "ok", "warning", "problem"
	// Failed says the point has no value to draw: every result in it was a
	// problem, whose latency (0 for a refused connection, the timeout for
	// a silent host) is no response time. It is marked, and the line
	// breaks there rather than dropping to it.
	Failed bool
}

// Series is one line on a chart, typically one location.
type Series struct {
	Name   string
	Points []Point
}

// Chart is a chart of one quantity over [From, To]: the response time, or
// one value that results carry.
type Chart struct {
	From, To time.Time
	Series   []Series
	// Bucketed is true when points are rollups; a min–max band is drawn then.
	Bucketed bool
	// Width and Height are the SVG's viewBox size; 0 means 800 wide,
	// 260 high.
	Width, Height int
	// Title names the chart for screen readers; "" is "Response time (ms)".
	Title string
	// Unit is how values read on the axis and in marks.
	Unit Unit
	// Step is how far apart points are expected (the check interval, or
	// the bucket when that is longer). The line breaks where two points
	// lie further apart than 2.5 steps (or 3 times the usual spacing), so
	// time without data (a server down, an agent offline) shows as a gap.
	// 0 judges from the usual spacing alone.
	Step time.Duration
}

// maxSeries bounds the series styles; further series reuse them in turn.
const maxSeries = 6

// layout is the plot area inside the viewBox.
type layout struct {
	w, h                     float64
	left, right, top, bottom float64
	from, to                 time.Time
	yMin, yMax, yStep        float64
	axis                     axis
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
	span := l.yMax - l.yMin
	if span <= 0 {
		return l.h - l.bottom
	}
	v = math.Max(l.yMin, math.Min(v, l.yMax))
	return l.h - l.bottom - (v-l.yMin)/span*(l.h-l.top-l.bottom)
}

// SVG renders c as an inline <svg> element. A chart without points renders
// a frame with "No data in this range" instead of empty axes.
func SVG(c Chart) string {
	l := newLayout(c)
	var b strings.Builder
	title, full := c.Title, c.Title
	if title == "" {
		title, full = "Response time", "Response time (ms)"
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %s %s" role="img" aria-label="%s chart" xmlns="http://www.w3.org/2000/svg">`,
		num(l.w), num(l.h), html.EscapeString(title))
	b.WriteString(`<title>` + html.EscapeString(full) + `</title>`)
	if pointCount(c) == 0 {
		fmt.Fprintf(&b, `<rect class="ch-frame" x="0.5" y="0.5" width="%s" height="%s" rx="6"/>`, num(l.w-1), num(l.h-1))
		fmt.Fprintf(&b, `<text class="ch-empty" x="%s" y="%s" text-anchor="middle">No data in this range</text>`, num(l.w/2), num(l.h/2))
		b.WriteString(`</svg>`)
		return b.String()
	}
	writeAxes(&b, l)
	for i, s := range c.Series {
		writeSeries(&b, l, s, i, c)
	}
	if len(c.Series) > 1 {
		writeLegend(&b, l, c.Series)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func newLayout(c Chart) layout {
	l := layout{w: 800, h: 260, left: 56, right: 16, top: 14, bottom: 30}
	if c.Width > 0 {
		l.w = float64(c.Width)
	}
	if c.Height > 0 {
		l.h = float64(c.Height)
	}
	if len(c.Series) > 1 {
		l.top = 34
	}
	l.from, l.to = c.From, c.To
	if l.from.IsZero() || l.to.IsZero() || !l.to.After(l.from) {
		l.from, l.to = pointSpan(c)
	}
	lo, hi := valueSpan(c)
	l.axis = axisFor(c.Unit, math.Max(math.Abs(lo), math.Abs(hi)))
	// A small chart gets fewer grid lines, so its labels do not crowd.
	intervals := 6
	if l.h-l.top-l.bottom < 160 {
		intervals = 3
	}
	l.yMin, l.yMax, l.yStep = niceRange(lo, hi, l.axis.div, intervals)
	return l
}

// valueSpan is the range the axis must show: every drawn value and 0.
// Failed points are left out: a timeout's latency would flatten the line.
func valueSpan(c Chart) (lo, hi float64) {
	for _, s := range c.Series {
		for _, p := range s.Points {
			if p.Failed {
				continue
			}
			vals := [3]float64{p.Avg, p.Avg, p.Avg}
			if c.Bucketed {
				vals[1], vals[2] = p.Min, p.Max
			}
			for _, v := range vals {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	return lo, hi
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
	for _, v := range valueTicks(l.yMin, l.yMax, l.yStep) {
		y := num(l.y(v))
		fmt.Fprintf(b, `<line class="ch-grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(l.left), y, num(l.w-l.right), y)
		fmt.Fprintf(b, `<text class="ch-label" x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			num(l.left-8), y, html.EscapeString(l.axis.label(v)))
	}
	base := num(l.h - l.bottom)
	if l.yMin < 0 {
		zero := num(l.y(0))
		fmt.Fprintf(b, `<line class="ch-axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(l.left), zero, num(l.w-l.right), zero)
	}
	fmt.Fprintf(b, `<line class="ch-axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(l.left), base, num(l.w-l.right), base)
	for _, tk := range timeTicks(l.from, l.to) {
		x := num(l.x(tk.at))
		fmt.Fprintf(b, `<line class="ch-tick" x1="%s" y1="%s" x2="%s" y2="%s"/>`, x, base, x, num(l.h-l.bottom+4))
		fmt.Fprintf(b, `<text class="ch-label" x="%s" y="%s" text-anchor="middle">%s</text>`,
			x, num(l.h-l.bottom+18), html.EscapeString(tk.label))
	}
}

// writeSeries draws one series: an optional min–max band, the average line
// split at gaps and at failed points, and marks on warning and problem
// points.
func writeSeries(b *strings.Builder, l layout, s Series, i int, c Chart) {
	pts := sortedPoints(s.Points)
	cls := "s" + strconv.Itoa(i%maxSeries)
	runs := lineRuns(pts, c.Step)
	if c.Bucketed {
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
		writeMark(b, l, p)
	}
}

// writeMark marks a warning or problem point with a dot titled with its
// status, time and value. A failed point has no value worth showing: its
// dot sits at its latency (the baseline for a refused connection, the top
// for a timeout) and its title gives only status and time.
func writeMark(b *strings.Builder, l layout, p Point) {
	status := p.Status
	if p.Failed {
		status = "problem"
	}
	if status != "problem" && status != "warning" {
		return
	}
	title := status + " " + p.At.UTC().Format("2006-01-02 15:04:05")
	if !p.Failed {
		title += ": " + l.axis.label(p.Avg)
	}
	fmt.Fprintf(b, `<circle class="ch-pt ch-pt-%s" cx="%s" cy="%s" r="3.5"><title>%s</title></circle>`,
		status, num(l.x(p.At)), num(l.y(p.Avg)), html.EscapeString(title))
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

// lineRuns cuts a sorted series into the stretches a line joins: it
// breaks at failed points (which are left out) and where two neighbours
// lie further apart than gapLimit, so missing data shows as a gap rather
// than a line drawn across it.
func lineRuns(pts []Point, step time.Duration) [][]Point {
	limit := gapLimit(pts, step)
	var runs [][]Point
	var cur []Point
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	for _, p := range pts {
		if p.Failed {
			flush()
			continue
		}
		if n := len(cur); n > 0 && limit > 0 && p.At.Sub(cur[n-1].At) > limit {
			flush()
		}
		cur = append(cur, p)
	}
	flush()
	return runs
}

// gapLimit is the longest spacing that still counts as continuous data:
// 3 times the median spacing of the points, and at least 2.5 steps when
// the expected step is known (with few points the median says little).
// 0 means no limit.
func gapLimit(pts []Point, step time.Duration) time.Duration {
	var limit time.Duration
	if len(pts) >= 3 {
		steps := make([]time.Duration, 0, len(pts)-1)
		for i := 1; i < len(pts); i++ {
			steps = append(steps, pts[i].At.Sub(pts[i-1].At))
		}
		slices.Sort(steps)
		limit = 3 * steps[len(steps)/2]
	}
	if step > 0 {
		limit = max(limit, step*5/2)
	}
	return limit
}

// num formats a coordinate with one decimal, trimming ".0", so output is
// compact and identical on every platform.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}
