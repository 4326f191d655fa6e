package chart

import (
	"math"
	"time"
)

// niceScale returns an axis maximum at or above v and the step between its
// ticks, both "nice" numbers (1, 2, 2.5 or 5 times a power of ten), aiming
// at about six intervals.
func niceScale(v float64) (maxV, step float64) { return niceScaleIn(v, 6) }

// niceScaleIn is niceScale aiming at about n intervals.
func niceScaleIn(v float64, n int) (maxV, step float64) {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1, 0.25
	}
	step = niceStep(v / float64(n))
	return math.Ceil(v/step-1e-9) * step, step
}

func niceStep(raw float64) float64 {
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	f := raw / pow
	switch {
	case f <= 1:
		f = 1
	case f <= 2:
		f = 2
	case f <= 2.5:
		f = 2.5
	case f <= 5:
		f = 5
	default:
		f = 10
	}
	return f * pow
}

// valueTicks lists the ticks minV, minV+step, … up to maxV.
func valueTicks(minV, maxV, step float64) []float64 {
	if step <= 0 {
		return []float64{minV}
	}
	var ticks []float64
	for i := 0; ; i++ {
		v := minV + float64(i)*step
		if v > maxV+step/1e6 || i > 100 {
			break
		}
		if math.Abs(v) < step/1e6 {
			v = 0 // no "-0" from rounding
		}
		ticks = append(ticks, v)
	}
	return ticks
}

// msLabel writes a latency for people: "250 ms", "1.5 s".
func msLabel(ms float64) string {
	if math.Abs(ms) >= 1000 {
		return trimFloat(ms/1000, 2) + " s"
	}
	return trimFloat(ms, 2) + " ms"
}

type timeTick struct {
	at    time.Time
	label string
}

// timeSteps are the tick spacings offered, smallest first.
var timeSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// maxTimeTicks keeps labels from overlapping on the 800-unit-wide chart.
const maxTimeTicks = 7

// timeTicks picks the smallest step giving at most maxTimeTicks ticks in
// [from, to], aligned to whole steps in UTC (whole hours, midnights), and
// labels them as times of day or dates.
func timeTicks(from, to time.Time) []timeTick {
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s <= maxTimeTicks {
			step = s
			break
		}
	}
	var ticks []timeTick
	t := from.UTC().Truncate(step)
	if t.Before(from) {
		t = t.Add(step)
	}
	for ; !t.After(to); t = t.Add(step) {
		ticks = append(ticks, timeTick{at: t, label: timeLabel(t, step)})
	}
	return ticks
}

func timeLabel(t time.Time, step time.Duration) string {
	midnight := t.Hour() == 0 && t.Minute() == 0
	if step >= 24*time.Hour || (midnight && step >= time.Hour) {
		return t.Format("Jan 2")
	}
	return t.Format("15:04")
}
