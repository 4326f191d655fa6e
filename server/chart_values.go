package server

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// Value charts are read from raw results: rollups keep only latencies and
// counts by status, so values can be charted only as far back as raw
// results are kept (store.DefaultRetention.Raw, a week).
const (
	// maxValueCharts bounds the charts on one page: a cpu check with
	// per-core values would otherwise draw one per core.
	maxValueCharts = 16
	// maxValueResults bounds the raw results one page reads for its value
	// charts, over all locations, as maxRawPoints does for latency.
	maxValueResults = maxRawPoints
	// valuePage is how many results are decoded at a time: each carries
	// up to 64 values, and only the charted ones are kept.
	valuePage = 1000
	// keySample is how many of each location's newest results say which
	// keys to chart.
	keySample = 20
)

// leadValueKeys are the values that tell most about a host, best first:
// memory, disk and swap use, cpu use, load, processes, log matches, a
// command's value, traffic. The first one a monitor's results carry is
// charted first and shown in its summary.
var leadValueKeys = []string{"used_percent", "percent", "load1", "count", "matches", "value",
	"rx_bytes_per_second", "tx_bytes_per_second"}

// valueRead is what reading a range's values found.
type valueRead struct {
	charts []ui.ValueChart // series named by location id
	note   string          // why the charts cover less than the range; "" when they cover it
}

// valueCharts charts the values of monitorID's results at locations over
// cr, bucketed as the latency chart is (min/avg/max per bucket per
// location) and on the same time axis [now-span, now]. The keys charted are
// those of the newest results, lead keys first, at most maxValueCharts.
func (s *Server) valueCharts(monitorID string, locations []string, cr chartRange, step time.Duration, now time.Time) (valueRead, error) {
	from := now.Add(-cr.span)
	since := from
	if kept := now.Add(-store.DefaultRetention.Raw); kept.After(since) {
		since = kept
	}
	acc := valueAcc{bucket: cr.bucket, series: map[string]map[string]*valueSeries{}}
	var cut time.Time // the newest start of a location cut short by the budget
	budget := maxValueResults / max(len(locations), 1)
	// The keys come from every location's newest results: agents on
	// different hosts report different disks, interfaces or cores.
	var newest []checks.Result
	for _, loc := range locations {
		page, err := s.db.Results(monitorID, store.ResultQuery{Since: since, Until: now, Limit: keySample, Newest: true, Location: loc})
		if err != nil {
			return valueRead{}, err
		}
		newest = append(newest, page...)
	}
	acc.choose(newest)
	for _, loc := range locations {
		oldest, full, err := s.readValues(monitorID, loc, since, now, budget, &acc)
		if err != nil {
			return valueRead{}, err
		}
		if full && oldest.After(cut) {
			cut = oldest
		}
	}
	out := valueRead{charts: acc.charts(ui.Chart{From: from, To: now, Bucketed: cr.bucket > 0, Step: step})}
	if len(out.charts) == 0 {
		return out, nil
	}
	switch {
	case !cut.IsZero():
		out.note = fmt.Sprintf("Values before %s are not charted: the charts read at most %s results; a shorter range shows them all.",
			cut.UTC().Format("Jan 2 15:04 UTC"), groupThousands(maxValueResults))
	case since.After(from):
		out.note = fmt.Sprintf("Values are kept for %d days (response times longer): the charts start at %s.",
			int(store.DefaultRetention.Raw/(24*time.Hour)), since.UTC().Format("Jan 2 15:04 UTC"))
	}
	return out, nil
}

// readValues reads loc's results in [since, until) newest first, a page at
// a time, into acc, stopping after budget results. It returns the oldest
// time read and whether the budget ran out before since.
func (s *Server) readValues(monitorID, loc string, since, until time.Time, budget int, acc *valueAcc) (time.Time, bool, error) {
	var oldest time.Time
	for read := 0; read < budget; {
		n := min(valuePage, budget-read)
		page, err := s.db.Results(monitorID, store.ResultQuery{Since: since, Until: until, Limit: n, Newest: true, Location: loc})
		if err != nil {
			return oldest, false, err
		}
		if len(page) == 0 {
			return oldest, false, nil
		}
		if acc.keys == nil {
			acc.choose(page)
		}
		// Newest first, so that each location's points arrive in order
		// (reversed): no sort at the end.
		for i := len(page) - 1; i >= 0; i-- {
			acc.add(page[i])
		}
		read += len(page)
		// Until is exclusive: the next page ends where this one began.
		oldest, until = page[0].At, page[0].At
		if len(page) < n {
			return oldest, false, nil
		}
	}
	// The budget is spent: cut short only if anything older is left.
	more, err := s.db.Results(monitorID, store.ResultQuery{Since: since, Until: until, Limit: 1, Newest: true, Location: loc})
	return oldest, len(more) > 0, err
}

// valueAcc gathers the charted keys' points per location: every result
// when unbucketed, else min/avg/max and the worst status per bucket.
type valueAcc struct {
	bucket time.Duration
	keys   []string                           // charted, in order; nil until chosen
	series map[string]map[string]*valueSeries // key → location → points
}

type valueSeries struct {
	points  []ui.ChartPoint // newest first
	buckets map[int64]*valueBucket
}

type valueBucket struct {
	at            time.Time
	min, max, sum float64
	n             int
	worst         checks.Status
}

// choose picks the keys to chart from the newest results: lead keys
// first, then the rest in natural order (core2 before core10).
func (a *valueAcc) choose(results []checks.Result) {
	seen := map[string]bool{}
	for _, r := range results {
		for k := range r.Values {
			seen[k] = true
		}
	}
	if len(seen) == 0 {
		return // results without values (a host that could not be read): try the next page
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareValueKeys)
	a.keys = keys[:min(len(keys), maxValueCharts)]
	for _, k := range a.keys {
		a.series[k] = map[string]*valueSeries{}
	}
}

func (a *valueAcc) add(r checks.Result) {
	for _, k := range a.keys {
		v, ok := r.Values[k]
		if !ok || !finite(v) {
			continue
		}
		vs := a.series[k][r.Location]
		if vs == nil {
			vs = &valueSeries{buckets: map[int64]*valueBucket{}}
			a.series[k][r.Location] = vs
		}
		if a.bucket == 0 {
			vs.points = append(vs.points, ui.ChartPoint{At: r.At, Min: v, Avg: v, Max: v, Status: string(r.Status)})
			continue
		}
		start := r.At.Truncate(a.bucket)
		b := vs.buckets[start.UnixNano()]
		if b == nil {
			b = &valueBucket{at: start, min: v, max: v, worst: r.Status}
			vs.buckets[start.UnixNano()] = b
		}
		b.min, b.max, b.sum, b.n = min(b.min, v), max(b.max, v), b.sum+v, b.n+1
		if statusRank(r.Status) > statusRank(b.worst) {
			b.worst = r.Status
		}
	}
}

// charts returns one chart per key with points, each a copy of frame
// with the key's series, by location, points oldest first.
func (a *valueAcc) charts(frame ui.Chart) []ui.ValueChart {
	var out []ui.ValueChart
	for _, k := range a.keys {
		var series []ui.ChartSeries
		for loc, vs := range a.series[k] {
			pts := vs.points
			slices.Reverse(pts)
			starts := slices.Sorted(maps.Keys(vs.buckets))
			for _, at := range starts {
				b := vs.buckets[at]
				pts = append(pts, ui.ChartPoint{At: b.at, Min: b.min, Avg: b.sum / float64(b.n), Max: b.max, Status: string(b.worst)})
			}
			if len(pts) > 0 {
				series = append(series, ui.ChartSeries{Name: loc, Points: pts})
			}
		}
		if len(series) == 0 {
			continue
		}
		slices.SortFunc(series, func(x, y ui.ChartSeries) int { return strings.Compare(x.Name, y.Name) })
		c := frame
		c.Series = series
		out = append(out, ui.ValueChart{Key: k, Chart: c})
	}
	return out
}

// leadReading is the most telling value of a result: the first lead key
// it carries, else its first value in chart order. ok is false for a
// result without values.
func leadReading(r checks.Result) (ui.Reading, bool) {
	var best string
	for k, v := range r.Values {
		if finite(v) && (best == "" || compareValueKeys(k, best) < 0) {
			best = k
		}
	}
	if best == "" {
		return ui.Reading{}, false
	}
	return ui.Reading{Key: best, Value: r.Values[best]}, true
}

// compareValueKeys orders value keys for people: lead keys first in their
// order, then the rest naturally.
func compareValueKeys(a, b string) int {
	ra, rb := leadRank(a), leadRank(b)
	if ra != rb {
		return ra - rb
	}
	return naturalCompare(a, b)
}

func leadRank(k string) int {
	if i := slices.Index(leadValueKeys, k); i >= 0 {
		return i
	}
	return len(leadValueKeys)
}

// naturalCompare compares strings with runs of digits as numbers, so
// core2_percent sorts before core10_percent.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// groupThousands writes n as people read big numbers: 20,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func statusRank(s checks.Status) int {
	switch s {
	case checks.StatusProblem:
		return 2
	case checks.StatusWarning:
		return 1
	}
	return 0
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// valueUnits are the units check type kind declares for value keys that
// do not say theirs (checks.Type.ValueUnits).
func valueUnits(kind string) map[string]string {
	t, _ := checks.Lookup(kind)
	return t.ValueUnits
}
