package server

import (
	"sort"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// chartRange is one of the monitor page's ranges and the tier it reads.
type chartRange struct {
	name   string
	span   time.Duration
	bucket time.Duration // 0: raw results
	tier   store.Tier
}

var chartRanges = []chartRange{
	{name: "1h", span: time.Hour},
	{name: "24h", span: 24 * time.Hour, bucket: time.Minute, tier: store.TierMinute},
	{name: "7d", span: 7 * 24 * time.Hour, bucket: time.Hour, tier: store.TierHour},
	{name: "30d", span: 30 * 24 * time.Hour, bucket: time.Hour, tier: store.TierHour},
}

func findRange(name string) chartRange {
	for _, cr := range chartRanges {
		if cr.name == name {
			return cr
		}
	}
	return chartRanges[1]
}

// maxRawPoints bounds the raw results read for the 1 h chart (1 s checks
// from several locations).
const maxRawPoints = 20000

// buildChart reads the range from its tier. Rollups cover only complete
// minutes or hours, so the newest stretch after the last rollup is made
// from the finer data and bucketed here: the chart has no gap at its end.
// interval is the monitor's: points are expected that far apart (or a
// bucket apart when that is longer), so the chart can tell missing data.
func (s *Server) buildChart(monitorID string, cr chartRange, interval time.Duration, now time.Time) (ui.Chart, error) {
	from := now.Add(-cr.span)
	chart := ui.Chart{From: from, To: now, Bucketed: cr.bucket > 0, Step: max(interval, cr.bucket)}
	if cr.bucket == 0 {
		results, err := s.db.Results(monitorID, store.ResultQuery{Since: from, Until: now, Limit: maxRawPoints, Newest: true})
		if err != nil {
			return chart, err
		}
		chart.Series = rawSeries(results)
		return chart, nil
	}
	rollups, err := s.db.Rollups(monitorID, cr.tier, from, now)
	if err != nil {
		return chart, err
	}
	covered := from
	for _, ru := range rollups {
		if end := ru.Start.Add(cr.bucket); end.After(covered) {
			covered = end
		}
	}
	tail, err := s.finerRollups(monitorID, cr, covered, now)
	if err != nil {
		return chart, err
	}
	chart.Series = rollupSeries(append(rollups, tail...))
	return chart, nil
}

// finerRollups aggregates what the range's tier does not hold yet into
// buckets of the range's size: raw results for minutes; minute rollups
// (and raw after those) for hours.
func (s *Server) finerRollups(monitorID string, cr chartRange, since, until time.Time) ([]store.Rollup, error) {
	var parts []store.Rollup
	rawSince := since
	if cr.tier == store.TierHour {
		minutes, err := s.db.Rollups(monitorID, store.TierMinute, since, until)
		if err != nil {
			return nil, err
		}
		parts = append(parts, minutes...)
		for _, ru := range minutes {
			if end := ru.Start.Add(time.Minute); end.After(rawSince) {
				rawSince = end
			}
		}
	}
	results, err := s.db.Results(monitorID, store.ResultQuery{Since: rawSince, Until: until, Limit: maxRawPoints, Newest: true})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		parts = append(parts, rollupOf(r))
	}
	return mergeRollups(parts, cr.bucket), nil
}

func rollupOf(r checks.Result) store.Rollup {
	ru := store.Rollup{Start: r.At, Location: r.Location, MinMS: r.LatencyMS, AvgMS: r.LatencyMS, MaxMS: r.LatencyMS}
	switch r.Status {
	case checks.StatusOK:
		ru.OK = 1
	case checks.StatusWarning:
		ru.Warning = 1
	default:
		ru.Problem = 1
	}
	return ru
}

// mergeRollups combines rollups into buckets of size d per location.
func mergeRollups(in []store.Rollup, d time.Duration) []store.Rollup {
	type key struct {
		loc   string
		start int64
	}
	acc := map[key]*store.Rollup{}
	var order []key
	for _, ru := range in {
		k := key{ru.Location, ru.Start.Truncate(d).UnixNano()}
		a, ok := acc[k]
		if !ok {
			c := ru
			c.Start = ru.Start.Truncate(d)
			acc[k] = &c
			order = append(order, k)
			continue
		}
		n, m := float64(count(*a)), float64(count(ru))
		if n+m > 0 {
			a.AvgMS = (a.AvgMS*n + ru.AvgMS*m) / (n + m)
		}
		a.MinMS, a.MaxMS = min(a.MinMS, ru.MinMS), max(a.MaxMS, ru.MaxMS)
		a.OK, a.Warning, a.Problem = a.OK+ru.OK, a.Warning+ru.Warning, a.Problem+ru.Problem
	}
	out := make([]store.Rollup, 0, len(order))
	for _, k := range order {
		out = append(out, *acc[k])
	}
	return out
}

func count(ru store.Rollup) uint32 { return ru.OK + ru.Warning + ru.Problem }

func worstOf(ru store.Rollup) string {
	switch {
	case ru.Problem > 0:
		return string(checks.StatusProblem)
	case ru.Warning > 0:
		return string(checks.StatusWarning)
	}
	return string(checks.StatusOK)
}

// rawSeries charts each result's latency. A problem's latency (0 for a
// refused connection, the timeout for a silent host) is no response time:
// the point is Failed, marked but not drawn into the line.
func rawSeries(results []checks.Result) []ui.ChartSeries {
	by := map[string][]ui.ChartPoint{}
	for _, r := range results {
		by[r.Location] = append(by[r.Location], ui.ChartPoint{At: r.At, Min: r.LatencyMS, Avg: r.LatencyMS, Max: r.LatencyMS,
			Status: string(r.Status), Failed: r.Status == checks.StatusProblem})
	}
	return seriesFromMap(by)
}

// rollupSeries charts each bucket's latencies. A bucket of problems only
// is Failed, as a raw problem is. (A rollup's latencies cover all its
// results, so a bucket with some problems among answers still counts
// theirs: the store keeps no latency of answers alone.)
func rollupSeries(rollups []store.Rollup) []ui.ChartSeries {
	by := map[string][]ui.ChartPoint{}
	for _, ru := range rollups {
		by[ru.Location] = append(by[ru.Location], ui.ChartPoint{At: ru.Start, Min: ru.MinMS, Avg: ru.AvgMS, Max: ru.MaxMS,
			Status: worstOf(ru), Failed: ru.OK+ru.Warning == 0})
	}
	return seriesFromMap(by)
}

func seriesFromMap(by map[string][]ui.ChartPoint) []ui.ChartSeries {
	out := make([]ui.ChartSeries, 0, len(by))
	for loc, pts := range by {
		sort.Slice(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
		out = append(out, ui.ChartSeries{Name: loc, Points: pts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// timeline turns chart points into stretches of one status, merging all
// series: at any time the worst status shown wins.
func timeline(c ui.Chart) []ui.TimelineSegment {
	type point struct {
		at     time.Time
		status string
	}
	var pts []point
	for _, s := range c.Series {
		for _, p := range s.Points {
			pts = append(pts, point{p.At, p.Status})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].at.Before(pts[j].at) })
	var out []ui.TimelineSegment
	for i, p := range pts {
		end := c.To
		if i+1 < len(pts) {
			end = pts[i+1].at
		}
		if n := len(out); n > 0 && out[n-1].Status == p.status {
			out[n-1].To = end
			continue
		}
		out = append(out, ui.TimelineSegment{From: p.at, To: end, Status: p.status})
	}
	return out
}
