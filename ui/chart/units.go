package chart

import (
	"math"
	"strconv"
)

// Unit says how a chart's values read on its axis and in its marks.
type Unit string

// The units a chart knows. Any other Unit is written after the number as
// it is ("3 queries").
const (
	UnitNone        Unit = ""        // a plain number: 12, 1.5k, 3M
	UnitMS          Unit = "ms"      // milliseconds: 250 ms, 1.5 s
	UnitPercent     Unit = "%"       // 42%
	UnitBytes       Unit = "bytes"   // 512 MiB, 1.5 GiB
	UnitBytesPerSec Unit = "bytes/s" // 12 MiB/s
	UnitPerSec      Unit = "/s"      // 3.5/s, 12k/s
	UnitDays        Unit = "days"    // 30 d
)

// axis is how one chart writes its values: divided by div, followed by
// suffix. A whole axis shares one, so its labels read "0, 2 GiB, 4 GiB"
// rather than mixing prefixes.
type axis struct {
	unit   Unit
	div    float64
	suffix string
}

var (
	binaryPrefixes = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	siPrefixes     = []string{"", "k", "M", "G", "T", "P"}
)

// axisFor picks the prefix for values up to maxAbs in unit u.
func axisFor(u Unit, maxAbs float64) axis {
	switch u {
	case UnitMS:
		return axis{unit: u, div: 1}
	case UnitPercent:
		return axis{unit: u, div: 1, suffix: "%"}
	case UnitDays:
		return axis{unit: u, div: 1, suffix: " d"}
	case UnitBytes, UnitBytesPerSec:
		div, p := prefixFor(maxAbs, 1024, binaryPrefixes)
		suffix := " " + p
		if u == UnitBytesPerSec {
			suffix += "/s"
		}
		return axis{unit: u, div: div, suffix: suffix}
	case UnitPerSec, UnitNone:
		div, p := prefixFor(maxAbs, 1000, siPrefixes)
		if u == UnitPerSec {
			p += "/s"
		}
		return axis{unit: u, div: div, suffix: p}
	}
	return axis{unit: u, div: 1, suffix: " " + string(u)}
}

// prefixFor returns the largest power of base not above maxAbs (at least
// 1) and its prefix.
func prefixFor(maxAbs, base float64, prefixes []string) (float64, string) {
	div := 1.0
	i := 0
	for i+1 < len(prefixes) && maxAbs >= div*base {
		div *= base
		i++
	}
	return div, prefixes[i]
}

// label writes v on this axis. Milliseconds keep their own rule (ms up to
// a second, then seconds) as the response-time chart always has.
func (a axis) label(v float64) string {
	if a.unit == UnitMS {
		return msLabel(v)
	}
	return trimFloat(v/a.div, 2) + a.suffix
}

// FormatValue writes one value of unit u for people, with the prefix that
// suits it: "512 MiB", "42%", "1.5k".
func FormatValue(v float64, u Unit) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return axisFor(u, math.Abs(v)).label(v)
}

// niceRange returns an axis from lo to hi (lo <= 0 <= hi) in about n
// nice steps of the axis' own unit, so that byte axes step in whole MiB or
// GiB.
func niceRange(lo, hi, div float64, n int) (yMin, yMax, step float64) {
	lo, hi = lo/div, hi/div
	if lo >= 0 {
		yMax, step = niceScaleIn(hi, n)
		return 0, yMax * div, step * div
	}
	step = niceStep((hi - lo) / float64(n))
	yMin = math.Floor(lo/step+1e-9) * step
	yMax = math.Ceil(hi/step-1e-9) * step
	if yMax <= yMin {
		yMax = yMin + step
	}
	return yMin * div, yMax * div, step * div
}

func trimFloat(f float64, prec int) string {
	p := math.Pow(10, float64(prec))
	return strconv.FormatFloat(math.Round(f*p)/p, 'f', -1, 64)
}
