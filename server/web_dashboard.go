package server

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// monitorStatus is what a monitor shows: paused, the engine's status, or
// unknown before its first result, with the newest result of any location.
func (s *Server) monitorStatus(m store.Monitor) (checks.Status, *checks.Result) {
	st, ok := s.engine.State(m.ID)
	return statusOf(m, st, ok)
}

func statusOf(m store.Monitor, st engine.State, ok bool) (checks.Status, *checks.Result) {
	var last *checks.Result
	if ok {
		for _, loc := range st.Locations {
			if last == nil || loc.Last.At.After(last.At) {
				r := loc.Last
				last = &r
			}
		}
	}
	switch {
	case m.Paused:
		return checks.StatusPaused, last
	case !ok || st.Status == "":
		return checks.StatusUnknown, last
	}
	return st.Status, last
}

// monitorRow is the dashboard's view of one monitor.
func (s *Server) monitorRow(m store.Monitor) ui.MonitorRow {
	st, ok := s.engine.State(m.ID)
	status, last := statusOf(m, st, ok)
	row := ui.MonitorRow{
		ID: m.ID, Name: m.Name, Type: m.Type, Target: m.Target, Status: string(status),
		LastLatency: -1, Uptime24h: -1, Uptime30d: -1,
	}
	if ok && st.Message != "" {
		row.Message = st.Message
	} else if last != nil {
		row.Message = last.Message
	}
	if sum, ok := s.live.Summary(m.ID); ok {
		row.Uptime24h, row.Uptime30d = sum.Uptime24h, sum.Uptime30d
		row.Sparkline = sum.Sparkline
		if !sum.LastAt.IsZero() {
			row.LastCheck = sum.LastAt
			if !serverResults(m.Type) { // a file-integrity monitor has no response time: "—", not "0.00 ms"
				row.LastLatency = sum.LastLatencyMS
			}
		}
	}
	return row
}

// dashboardPageSize bounds the rows on one dashboard page: enough for a
// small estate on one screen, few enough that 10,000 monitors still render
// in milliseconds.
const dashboardPageSize = 100

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	start := time.Now()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	statusFilter := r.URL.Query().Get("status")
	p := ui.DashboardProps{Page: s.pageFor(w, r, rc, "Dashboard", "dashboard"), Query: q, Status: statusFilter}
	all := s.monitors.all()
	p.Total = len(all)
	needle := strings.ToLower(q)
	var rows []ui.MonitorRow
	for _, m := range all {
		row := s.monitorRow(m)
		countStatus(&p.Counts, row.Status)
		if statusFilter != "" && row.Status != statusFilter {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(m.Name+" "+m.Target+" "+m.Type), needle) {
			continue
		}
		rows = append(rows, row)
	}
	sortRows(rows)
	p.Matched = len(rows)
	p.PageCount = (len(rows) + dashboardPageSize - 1) / dashboardPageSize
	p.PageNum = 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		p.PageNum = min(n, max(p.PageCount, 1))
	}
	from := (p.PageNum - 1) * dashboardPageSize
	p.Monitors = rows[from:min(from+dashboardPageSize, len(rows))]
	s.dashboardMaintenance(&p)

	c := ui.DashboardPage(p)
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("partial") == "table" {
		c = ui.DashboardTable(p)
	}
	s.renderTimed(w, r, http.StatusOK, c, start)
	return nil
}

// sortRows puts what needs attention first: problem, warning, unknown, ok,
// paused; then by name.
func sortRows(rows []ui.MonitorRow) {
	rank := map[string]int{"problem": 0, "warning": 1, "unknown": 2, "ok": 3, "paused": 4}
	sort.SliceStable(rows, func(i, j int) bool {
		ri, rj := rank[rows[i].Status], rank[rows[j].Status]
		if ri != rj {
			return ri < rj
		}
		return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
	})
}

func countStatus(c *ui.StatusCounts, status string) {
	switch checks.Status(status) {
	case checks.StatusOK:
		c.OK++
	case checks.StatusWarning:
		c.Warning++
	case checks.StatusProblem:
		c.Problem++
	case checks.StatusPaused:
		c.Paused++
	default:
		c.Unknown++
	}
}
