package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// monitorStatus is what a monitor shows: paused, the engine's status, or
// unknown before its first result, with the newest result of any location.
func (s *Server) monitorStatus(m store.Monitor) (checks.Status, *checks.Result) {
	st, ok := s.engine.State(m.ID)
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
	status, last := s.monitorStatus(m)
	row := ui.MonitorRow{
		ID: m.ID, Name: m.Name, Type: m.Type, Target: m.Target, Status: string(status),
		LastLatency: -1, Uptime24h: -1, Uptime30d: -1,
	}
	if st, ok := s.engine.State(m.ID); ok && st.Message != "" {
		row.Message = st.Message
	} else if last != nil {
		row.Message = last.Message
	}
	if sum, ok := s.live.Summary(m.ID); ok {
		row.Uptime24h, row.Uptime30d = sum.Uptime24h, sum.Uptime30d
		row.Sparkline = sum.Sparkline
		if !sum.LastAt.IsZero() {
			row.LastCheck, row.LastLatency = sum.LastAt, sum.LastLatencyMS
		}
	}
	return row
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	start := time.Now()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	statusFilter := r.URL.Query().Get("status")
	p := ui.DashboardProps{Page: s.pageFor(w, r, rc, "Dashboard", "dashboard"), Query: q, Status: statusFilter}
	all := s.monitors.all()
	p.Total = len(all)
	needle := strings.ToLower(q)
	for _, m := range all {
		row := s.monitorRow(m)
		countStatus(&p.Counts, row.Status)
		if statusFilter != "" && row.Status != statusFilter {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(m.Name+" "+m.Target+" "+m.Type), needle) {
			continue
		}
		p.Monitors = append(p.Monitors, row)
	}
	c := ui.DashboardPage(p)
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("partial") == "table" {
		c = ui.DashboardTable(p)
	}
	w.Header().Set("Server-Timing", fmt.Sprintf("app;dur=%.2f", float64(time.Since(start))/float64(time.Millisecond)))
	s.render(w, r, http.StatusOK, c)
	return nil
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
