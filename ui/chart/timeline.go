package chart

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"time"
)

// Segment is a stretch of time in one status.
type Segment struct {
	From, To time.Time
	Status   string // "ok", "warning", "problem", "paused", "unknown"
}

// Timeline renders the status bar over [from, to]: one rectangle per
// segment, coloured by a tl-<status> class and titled with the status in
// words and its times, so status is never shown by colour alone. Time not
// covered by any segment shows the background ("no data").
func Timeline(from, to time.Time, segs []Segment, width, height int) string {
	w, h := float64(width), float64(height)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" preserveAspectRatio="none" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, html.EscapeString(timelineSummary(from, to, segs)))
	fmt.Fprintf(&b, `<rect class="tl-none" x="0" y="0" width="%d" height="%d"><title>no data</title></rect>`, width, height)
	span := to.Sub(from)
	if span > 0 && width > 0 {
		sorted := append([]Segment(nil), segs...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].From.Before(sorted[j].From) })
		x := func(t time.Time) float64 {
			if t.Before(from) {
				t = from
			}
			if t.After(to) {
				t = to
			}
			return float64(t.Sub(from)) / float64(span) * w
		}
		for _, s := range sorted {
			x0, x1 := x(s.From), x(s.To)
			if x1 <= x0 {
				continue
			}
			fmt.Fprintf(&b, `<rect class="tl-%s" x="%s" y="0" width="%s" height="%s"><title>%s · %s – %s</title></rect>`,
				statusClass(s.Status), num(x0), num(x1-x0), num(h), html.EscapeString(s.Status),
				s.From.UTC().Format("Jan 2 15:04"), s.To.UTC().Format("Jan 2 15:04"))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// statusClass keeps class names to the known statuses whatever the input.
func statusClass(s string) string {
	switch s {
	case "ok", "warning", "problem", "paused":
		return s
	}
	return "unknown"
}

// timelineSummary tells screen readers how long each status lasted.
func timelineSummary(from, to time.Time, segs []Segment) string {
	totals := map[string]time.Duration{}
	for _, s := range segs {
		a, z := s.From, s.To
		if a.Before(from) {
			a = from
		}
		if z.After(to) {
			z = to
		}
		if z.After(a) {
			totals[statusClass(s.Status)] += z.Sub(a)
		}
	}
	if len(totals) == 0 {
		return "Status timeline: no data"
	}
	parts := []string{}
	for _, st := range []string{"ok", "warning", "problem", "paused", "unknown"} {
		if d, ok := totals[st]; ok {
			parts = append(parts, st+" "+humanDuration(d))
		}
	}
	return "Status timeline: " + strings.Join(parts, ", ")
}

// humanDuration writes d as people read it: "3 d 4 h", "1 h 30 min", "45 s".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		days, hours := d/(24*time.Hour), (d%(24*time.Hour))/time.Hour
		if hours == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, hours)
	case d >= time.Hour:
		hours, mins := d/time.Hour, (d%time.Hour)/time.Minute
		if mins == 0 {
			return fmt.Sprintf("%d h", hours)
		}
		return fmt.Sprintf("%d h %d min", hours, mins)
	case d >= time.Minute:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}
