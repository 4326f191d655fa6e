package ui

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// Value charts are drawn smaller than the response time, two to a row on
// a wide screen, at about their natural size so their labels stay legible.
const valueChartWidth, valueChartHeight = 560, 200

// chartSVG converts the props' chart to the chart package's types; the two
// are kept separate so ui/chart stays free of page concerns.
func chartSVG(c Chart) string {
	cc := toChart(c)
	cc.Unit = chart.UnitMS
	return chart.SVG(cc)
}

// valueChartSVG draws one value chart, titled and scaled by its key.
func valueChartSVG(v ValueChart) string {
	cc := toChart(v.Chart)
	cc.Title, cc.Unit = valueLabel(v.Key), unitOf(v.Key, v.Unit)
	cc.Width, cc.Height = valueChartWidth, valueChartHeight
	return chart.SVG(cc)
}

func toChart(c Chart) chart.Chart {
	cc := chart.Chart{From: c.From, To: c.To, Bucketed: c.Bucketed, Step: c.Step}
	for _, s := range c.Series {
		cs := chart.Series{Name: s.Name, Points: make([]chart.Point, len(s.Points))}
		for i, pt := range s.Points {
			cs.Points[i] = chart.Point{At: pt.At, Min: pt.Min, Avg: pt.Avg, Max: pt.Max, Status: pt.Status, Failed: pt.Failed}
		}
		cc.Series = append(cc.Series, cs)
	}
	return cc
}

// chartNote explains what the response-time chart draws.
func chartNote(c Chart) string {
	if c.Bucketed {
		return "Line: average per interval · shaded band: minimum to maximum · dots: warnings and problems · a break: no data, or only failed checks."
	}
	return "Dots: warnings and problems · a break in the line: no data, or a failed check (it has no response time)."
}

// unitOf is unit when the check type names one, else the key's (valueUnit).
func unitOf(key, unit string) chart.Unit {
	if unit != "" {
		return chart.Unit(unit)
	}
	return valueUnit(key)
}

// valueUnit reads a value's unit from its key's suffix, the convention
// checks follow: connect_ms, used_percent, rx_bytes_per_second, …
func valueUnit(key string) chart.Unit {
	switch {
	case strings.HasSuffix(key, "_ms"):
		return chart.UnitMS
	case key == "percent" || strings.HasSuffix(key, "_percent"):
		return chart.UnitPercent
	case strings.HasSuffix(key, "bytes_per_second"), strings.HasSuffix(key, "bytes_per_s"):
		return chart.UnitBytesPerSec
	case key == "bytes" || strings.HasSuffix(key, "_bytes"):
		return chart.UnitBytes
	case strings.HasSuffix(key, "_per_second"), strings.HasSuffix(key, "_per_s"):
		return chart.UnitPerSec
	case strings.HasSuffix(key, "_days"), strings.HasSuffix(key, "_days_left"):
		return chart.UnitDays
	}
	return chart.UnitNone
}

// valueLabel is a key as people read it: "used_percent" → "Used percent".
func valueLabel(key string) string {
	words := strings.Join(strings.FieldsFunc(key, func(r rune) bool { return r == '_' }), " ")
	if words == "" {
		return key
	}
	r, size := utf8.DecodeRuneInString(words)
	return string(unicode.ToUpper(r)) + words[size:]
}

// fmtReading writes a value in its key's unit: "43%", "1.5 GiB".
func fmtReading(r Reading) string {
	return chart.FormatValue(r.Value, unitOf(r.Key, r.Unit))
}

// hasValueCard says whether the page has value charts or a word on why not.
func hasValueCard(p MonitorProps) bool {
	return len(p.Values) > 0 || p.ValuesNote != ""
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
