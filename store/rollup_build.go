package store

import (
	"math"
	"time"

	"github.com/vigil-monitor/vigil/store/chunk"
)

// startMarks sets a location's watermarks at its first raw chunk (or its
// open chunk) the first time Compact sees it; ok is false while it has no
// results.
func (s *series) startMarks(idx uint16, name string, m *marks) bool {
	if m.set {
		return true
	}
	k, _ := s.raw.Cursor().Seek(seriesKey(idx, math.MinInt64))
	i, start, ok := parseSeriesKey(k)
	if !ok || i != idx {
		var o openChunk
		if o, ok, _ = s.open(name); !ok {
			return false
		}
		start = o.start
	}
	*m = marks{minute: floorTo(start, minuteD), hour: floorTo(start, hourD), set: true}
	return true
}

// rollupMinutes rebuilds the minute rollups of [m.minute, end) from the raw
// tier, at most minuteStepSpan of it, and advances m.minute. It returns the
// rollups written, the packs touched and whether more remains.
func (s *series) rollupMinutes(idx uint16, name string, m *marks, end int64, st *CompactStats) (written, touched int, more bool, err error) {
	from := m.minute
	to := min(end, from+minuteStepSpan.Milliseconds())
	if from >= to {
		return 0, 0, false, nil
	}
	w := rawWindow{since: from, until: to}
	pts := w.oldest(s, idx, name)
	n, err := w.moveBadAside(s, name)
	if err != nil {
		return 0, 0, false, err
	}
	st.Broken += n
	hourMS := hourD.Milliseconds()
	for i := 0; i < len(pts); {
		h := floorTo(pts[i].T, hourD)
		var aggs []chunk.Agg
		for ; i < len(pts) && pts[i].T < h+hourMS; i++ {
			off := uint32((pts[i].T - h) / minuteD.Milliseconds())
			if len(aggs) == 0 || aggs[len(aggs)-1].Off != off {
				aggs = append(aggs, chunk.Agg{Off: off})
			}
			aggs[len(aggs)-1].Add(pts[i].Status, pts[i].Latency)
		}
		lo, hi := max(from, h), min(to, h+hourMS)
		n, err := s.replacePack(s.minute, seriesKey(idx, h), offsetIn(lo, h, minuteD), offsetIn(hi, h, minuteD), aggs, st)
		if err != nil {
			return written, touched, false, err
		}
		written += n
		touched++
	}
	m.minute = to
	return written, touched, to < end, nil
}

// rollupHours rebuilds the hour rollups of [m.hour, floor(m.minute)) from
// the minute tier, at most hourStepSpan of it, and advances m.hour.
func (s *series) rollupHours(idx uint16, m *marks, st *CompactStats) (written, touched int, more bool, err error) {
	end := floorTo(m.minute, hourD)
	from := m.hour
	to := min(end, from+hourStepSpan.Milliseconds())
	if from >= to {
		return 0, 0, false, nil
	}
	// Hour aggregates by day, from the minute packs in [from, to).
	days := map[int64][]chunk.Agg{}
	var order []int64
	bad := eachPack(s.minute, idx, from, to, func(h int64, mins []chunk.Agg) {
		d := floorTo(h, dayD)
		a := chunk.Agg{Off: offsetIn(h, d, hourD)}
		for _, x := range mins {
			a.Merge(x)
		}
		if _, ok := days[d]; !ok {
			order = append(order, d)
		}
		if a.N() > 0 {
			days[d] = append(days[d], a)
		}
	})
	n, err := s.moveAside(s.minute, bad)
	if err != nil {
		return 0, 0, false, err
	}
	st.Broken += n
	for _, d := range order {
		lo, hi := max(from, d), min(to, d+dayD.Milliseconds())
		n, err := s.replacePack(s.hour, seriesKey(idx, d), offsetIn(lo, d, hourD), offsetIn(hi, d, hourD), days[d], st)
		if err != nil {
			return written, touched, false, err
		}
		written += n
		touched++
	}
	m.hour = to
	return written, touched, to < end, nil
}

// offsetIn is the index of the period containing t in the pack starting at
// start (t may be the pack's end, giving one past the last index).
func offsetIn(t, start int64, period time.Duration) uint32 {
	return uint32((t - start) / period.Milliseconds())
}
