package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

func TestCompareValueKeys(t *testing.T) {
	keys := []string{"core10_percent", "total_bytes", "core2_percent", "used_percent", "available_bytes", "load5", "load1", "core02_percent"}
	slices.SortStableFunc(keys, compareValueKeys)
	want := []string{"used_percent", "load1", "available_bytes", "core2_percent", "core02_percent", "core10_percent", "load5", "total_bytes"}
	if !slices.Equal(keys, want) {
		t.Errorf("sorted %v, want %v", keys, want)
	}
}

func TestLeadReading(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]float64
		want   string
		ok     bool
	}{
		{"memory", map[string]float64{"total_bytes": 1, "used_percent": 43, "available_bytes": 2}, "used_percent", true},
		{"cpu", map[string]float64{"user_percent": 3, "percent": 9, "system_percent": 1}, "percent", true},
		{"no lead key: first in order", map[string]float64{"b": 1, "a": 2}, "a", true},
		{"none", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := leadReading(checks.Result{Values: tc.values})
			if ok != tc.ok || got.Key != tc.want {
				t.Errorf("leadReading = %+v, %v; want key %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// memoryMonitor makes a memory check at an agent and stores its results,
// one a minute for the last two hours except minutes 30–39 ago (the agent
// was offline); the newest is a warning.
func memoryMonitor(t *testing.T, ts *testServer, now time.Time) (monitorOutput, store.Agent) {
	t.Helper()
	a := ts.addAgent(t, "web-01")
	var m monitorOutput
	ts.call(t, ts.token(t, "admin"), "POST", "/api/v1/monitors",
		`{"name":"web-01 memory","type":"memory","target":"","interval":"1m","locations":["web-01"]}`, http.StatusCreated, &m)
	var batch []store.MonitorResult
	for i := 120; i >= 1; i-- {
		if i >= 30 && i < 40 {
			continue
		}
		r := checks.Result{At: now.Add(-time.Duration(i) * time.Minute), Location: a.ID, Status: checks.StatusOK, LatencyMS: 0.2,
			Values: map[string]float64{"used_percent": float64(40 + i%7), "available_bytes": float64(i) * (1 << 20), "total_bytes": 16 << 30}}
		if i == 1 {
			r.Status, r.Values["used_percent"] = checks.StatusWarning, 91
		}
		batch = append(batch, store.MonitorResult{MonitorID: m.ID, Result: r})
	}
	if err := ts.commitAgentResults(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return m, a
}

func TestValueCharts(t *testing.T) {
	ts := newTestServer(t, true)
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	m, a := memoryMonitor(t, ts, now)
	// 110 results a minute apart, 30 to 39 minutes ago missing; the newest
	// a minute ago.
	hours := map[time.Time]bool{}
	for i := 120; i >= 1; i-- {
		if i < 30 || i >= 40 {
			hours[now.Add(-time.Duration(i)*time.Minute).Truncate(time.Hour)] = true
		}
	}
	tests := []struct {
		rng      string
		points   int // of used_percent
		bucketed bool
		note     string
	}{
		{"1h", 50, false, ""},
		{"24h", 110, true, ""},
		{"30d", len(hours), true, "kept for 7 days"},
	}
	for _, tc := range tests {
		t.Run(tc.rng, func(t *testing.T) {
			cr := findRange(tc.rng)
			got, err := ts.valueCharts(m.ID, []string{a.ID}, cr, time.Minute, now)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, c := range got.charts {
				keys = append(keys, c.Key)
			}
			if want := []string{"used_percent", "available_bytes", "total_bytes"}; !slices.Equal(keys, want) {
				t.Fatalf("keys %v, want %v", keys, want)
			}
			c := got.charts[0].Chart
			if c.Bucketed != tc.bucketed || !c.From.Equal(now.Add(-cr.span)) || !c.To.Equal(now) || c.Step != time.Minute {
				t.Errorf("chart frame %v..%v bucketed %v step %v", c.From, c.To, c.Bucketed, c.Step)
			}
			if len(c.Series) != 1 || c.Series[0].Name != a.ID || len(c.Series[0].Points) != tc.points {
				t.Fatalf("series %+v: want one of %d points at %s", c.Series, tc.points, a.ID)
			}
			last := c.Series[0].Points[tc.points-1]
			if last.Max != 91 || last.Status != "warning" || last.Failed {
				t.Errorf("newest point %+v, want up to 91, warning", last)
			}
			if tc.note == "" && got.note != "" || !strings.Contains(got.note, tc.note) {
				t.Errorf("note %q, want %q", got.note, tc.note)
			}
		})
	}
}

// TestValueChartsBucketMinAvgMax: results in one bucket give its minimum,
// average, maximum and worst status.
func TestValueChartsBucketMinAvgMax(t *testing.T) {
	acc := valueAcc{bucket: time.Minute, series: map[string]map[string]*valueSeries{}}
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	results := []checks.Result{
		{At: t0.Add(5 * time.Second), Location: "server", Status: checks.StatusOK, Values: map[string]float64{"x_ms": 10}},
		{At: t0.Add(25 * time.Second), Location: "server", Status: checks.StatusProblem, Values: map[string]float64{"x_ms": 40}},
		{At: t0.Add(45 * time.Second), Location: "server", Status: checks.StatusOK, Values: map[string]float64{"x_ms": 25}},
		{At: t0.Add(65 * time.Second), Location: "server", Status: checks.StatusOK},
	}
	acc.choose(results)
	for _, r := range results {
		acc.add(r)
	}
	charts := acc.charts(ui.Chart{})
	if len(charts) != 1 || len(charts[0].Chart.Series) != 1 {
		t.Fatalf("charts %+v", charts)
	}
	pts := charts[0].Chart.Series[0].Points
	want := ui.ChartPoint{At: t0, Min: 10, Avg: 25, Max: 40, Status: "problem"}
	if len(pts) != 1 || pts[0] != want {
		t.Errorf("points %+v, want %+v", pts, want)
	}
}

// TestReadValuesBudget: a location with more results than its budget is
// read newest first and reported cut short, with the oldest time read.
func TestReadValuesBudget(t *testing.T) {
	ts := newTestServer(t, true)
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	m, a := memoryMonitor(t, ts, now)
	tests := []struct {
		name   string
		budget int
		full   bool
		oldest time.Time
	}{
		{"cut", 5, true, now.Add(-5 * time.Minute)},
		{"all of it, exactly", 110, false, now.Add(-120 * time.Minute)},
		{"more budget than results, across pages", valuePage + 3, false, now.Add(-120 * time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := valueAcc{series: map[string]map[string]*valueSeries{}}
			oldest, full, err := ts.readValues(m.ID, a.ID, now.Add(-3*time.Hour), now, tc.budget, &acc)
			if err != nil {
				t.Fatal(err)
			}
			if full != tc.full || !oldest.Equal(tc.oldest) {
				t.Errorf("oldest %v full %v, want %v %v", oldest, full, tc.oldest, tc.full)
			}
		})
	}
}

// TestWebMonitorPageValues: a host check's page shows its values first,
// its memory use in the summary, and the response-time line breaks where
// the agent was offline.
func TestWebMonitorPageValues(t *testing.T) {
	ts := newTestServer(t, true)
	now := time.Now().UTC()
	m, _ := memoryMonitor(t, ts, now)
	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/monitors/" + m.ID + "?range=1h")
	values, latency := strings.Index(page, `data-testid="values"`), strings.Index(page, "<h2>Response time</h2>")
	if values < 0 || latency < 0 || values > latency {
		t.Errorf("values at %d, response time at %d: want the values first", values, latency)
	}
	for _, want := range []string{`data-key="used_percent"`, `data-key="available_bytes"`, `aria-label="Used percent chart"`, `data-testid="lead-value"`, ">91%<"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Index(page, `data-key="used_percent"`) > strings.Index(page, `data-key="available_bytes"`) {
		t.Error("used_percent is not the first value chart")
	}
	// The response-time chart: one line before the agent's 10 minutes
	// offline and one after.
	chart := page[latency:]
	chart = chart[:strings.Index(chart, "</svg>")]
	if n := strings.Count(chart, "<polyline"); n != 2 {
		t.Errorf("response-time chart has %d lines, want 2 (broken where the agent was offline)", n)
	}
}

// BenchmarkValueCharts measures reading a week of a cpu check's values (a
// result a minute with 8 values, 10,080 results) for each range.
func BenchmarkValueCharts(b *testing.B) {
	ts := newTestServer(b, true)
	now := time.Now().UTC()
	m := store.Monitor{Name: "cpu", Type: "cpu", Interval: time.Minute, Timeout: 10 * time.Second, Locations: []string{"agent-1"}, Paused: true}
	if err := ts.db.CreateMonitor(&m, systemActor); err != nil {
		b.Fatal(err)
	}
	id, loc := m.ID, "agent-1"
	var batch []store.MonitorResult
	for i := 7*24*60 - 1; i >= 0; i-- {
		v := map[string]float64{}
		for _, k := range []string{"percent", "user_percent", "system_percent", "iowait_percent", "steal_percent", "cores", "max_core_percent", "core0_percent"} {
			v[k] = float64(i%97) / 3
		}
		batch = append(batch, store.MonitorResult{MonitorID: id, Result: checks.Result{At: now.Add(-time.Duration(i) * time.Minute),
			Location: loc, Status: checks.StatusOK, LatencyMS: 0.3, Values: v}})
	}
	if err := ts.db.AppendResults(batch); err != nil {
		b.Fatal(err)
	}
	for _, rng := range []string{"1h", "24h", "7d"} {
		b.Run(rng, func(b *testing.B) {
			for b.Loop() {
				got, err := ts.valueCharts(id, []string{loc}, findRange(rng), time.Minute, now)
				if err != nil || len(got.charts) != 8 {
					b.Fatalf("%d charts, %v", len(got.charts), err)
				}
			}
		})
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20000: "20,000", 1234567: "1,234,567"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestValueUnitsOfMySQLRates(t *testing.T) {
	u := valueUnits("mysql")
	for _, k := range []string{"slow_queries", "innodb_buffer_pool_utilization", "connections_usage"} {
		if u[k] != "%" {
			t.Errorf("unit of mysql %s = %q, want %%", k, u[k])
		}
	}
	if _, ok := u["connect_ms"]; ok {
		t.Error("connect_ms has a declared unit; its suffix says it")
	}
}

// TestValueChartsKeysFromEveryLocation: two agents report different disks;
// both are charted, not only the first location's.
func TestValueChartsKeysFromEveryLocation(t *testing.T) {
	ts := newTestServer(t, true)
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	a1, a2 := ts.addAgent(t, "db-01"), ts.addAgent(t, "db-02")
	var m monitorOutput
	ts.call(t, ts.token(t, "admin"), "POST", "/api/v1/monitors",
		`{"name":"load","type":"load","target":"","interval":"1m","locations":["db-01","db-02"]}`, http.StatusCreated, &m)
	var batch []store.MonitorResult
	for i := 10; i >= 1; i-- {
		at := now.Add(-time.Duration(i) * time.Minute)
		batch = append(batch,
			store.MonitorResult{MonitorID: m.ID, Result: checks.Result{At: at, Location: a1.ID, Status: checks.StatusOK, Values: map[string]float64{"first_only": 1}}},
			store.MonitorResult{MonitorID: m.ID, Result: checks.Result{At: at, Location: a2.ID, Status: checks.StatusOK, Values: map[string]float64{"second_only": 2}}})
	}
	if err := ts.commitAgentResults(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	got, err := ts.valueCharts(m.ID, []string{a1.ID, a2.ID}, findRange("1h"), time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range got.charts {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"first_only", "second_only"}) {
		t.Fatalf("charted keys %v, want both locations' keys", keys)
	}
}
