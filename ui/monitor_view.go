package ui

import (
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/ui/chart"
)

// defaultRanges are offered when the server does not list its own.
var defaultRanges = []string{"1h", "24h", "7d", "30d"}

func rangesOf(p MonitorProps) []string {
	if len(p.Ranges) > 0 {
		return p.Ranges
	}
	return defaultRanges
}

func rangeLabel(r string) string {
	switch r {
	case "1h":
		return "1 h"
	case "24h":
		return "24 h"
	case "7d":
		return "7 d"
	case "30d":
		return "30 d"
	}
	return r
}

// chartSVG converts the props' chart to the chart package's types; the two
// are kept separate so ui/chart stays free of page concerns.
func chartSVG(c Chart) string {
	cc := chart.Chart{From: c.From, To: c.To, Bucketed: c.Bucketed}
	for _, s := range c.Series {
		cs := chart.Series{Name: s.Name, Points: make([]chart.Point, len(s.Points))}
		for i, pt := range s.Points {
			cs.Points[i] = chart.Point{At: pt.At, Min: pt.Min, Avg: pt.Avg, Max: pt.Max, Status: pt.Status}
		}
		cc.Series = append(cc.Series, cs)
	}
	return chart.SVG(cc)
}

func chartHasData(c Chart) bool {
	for _, s := range c.Series {
		if len(s.Points) > 0 {
			return true
		}
	}
	return false
}

func timelineSVG(from, to time.Time, segs []TimelineSegment) string {
	cs := make([]chart.Segment, len(segs))
	for i, s := range segs {
		cs[i] = chart.Segment{From: s.From, To: s.To, Status: s.Status}
	}
	return chart.Timeline(from, to, cs, 1000, 28)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func joinList(items []string) string {
	return strings.Join(items, ", ")
}
