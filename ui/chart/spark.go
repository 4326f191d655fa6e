package chart

import (
	"fmt"
	"math"
	"strings"
)

// Sparkline renders recent latencies (oldest first) as a small inline SVG
// line scaled from 0 to the largest value, with the last value marked. No
// values give "" so the caller can show a dash instead.
func Sparkline(values []float64, width, height int) string {
	vals := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, math.Max(0, v))
		}
	}
	if len(vals) == 0 || width <= 0 || height <= 0 {
		return ""
	}
	maxV := 0.0
	for _, v := range vals {
		maxV = math.Max(maxV, v)
	}
	w, h := float64(width), float64(height)
	const pad = 2.0
	x := func(i int) float64 {
		if len(vals) == 1 {
			return w - pad
		}
		return pad + float64(i)/float64(len(vals)-1)*(w-2*pad)
	}
	y := func(v float64) float64 {
		if maxV == 0 {
			return h - pad
		}
		return h - pad - v/maxV*(h-2*pad)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" width="%d" height="%d" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">`,
		width, height, width, height)
	if len(vals) > 1 {
		b.WriteString(`<polyline class="spark-line" points="`)
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(x(i)) + "," + num(y(v)))
		}
		b.WriteString(`"/>`)
	}
	last := len(vals) - 1
	fmt.Fprintf(&b, `<circle class="spark-dot" cx="%s" cy="%s" r="1.8"/></svg>`, num(x(last)), num(y(vals[last])))
	return b.String()
}
