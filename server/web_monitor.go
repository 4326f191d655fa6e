package server

import (
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

const recentResults = 20

func (s *Server) handleMonitorPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	cr := findRange(r.URL.Query().Get("range"))
	p := ui.MonitorProps{
		Page:        s.pageFor(w, r, rc, m.Name, monitorNav(m)),
		Monitor:     s.monitorRow(m),
		Interval:    formatDuration(m.Interval),
		Timeout:     formatDuration(m.Timeout),
		Paused:      m.Paused,
		Range:       cr.name,
		ValuesFirst: isHostCheck(m.Type),
		// The server makes these results from what it holds: there is
		// no request, so no timeout and no response time to show.
		NoLatency: serverResults(m.Type),
		FIMAgent:  fimMonitorAgent(m),
	}
	if p.ValuesFirst {
		// A host check's latency is only how long reading the host took:
		// the summary shows what it read instead.
		if _, last := s.monitorStatus(m); last != nil {
			if lead, ok := leadReading(*last); ok {
				lead.Unit = valueUnits(m.Type)[lead.Key]
				p.Lead = &lead
			}
		}
	}
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("partial") == "summary" {
		s.render(w, r, http.StatusOK, ui.MonitorSummary(p))
		return nil
	}
	for _, c := range chartRanges {
		p.Ranges = append(p.Ranges, c.name)
	}
	if err := s.monitorCharts(&p, m, cr, time.Now()); err != nil {
		return err
	}
	names := s.locationLabels()
	for _, l := range m.Locations {
		p.Locations = append(p.Locations, names.of(l))
	}
	if st, ok := s.engine.State(m.ID); ok {
		p.PerLocation = perLocation(st, p.Chart, names)
	}
	nameSeries(&p.Chart, names)
	for i := range p.Values {
		nameSeries(&p.Values[i].Chart, names)
	}
	recent, err := s.db.Results(m.ID, store.ResultQuery{Limit: recentResults, Newest: true})
	if err != nil {
		return err
	}
	for i := len(recent) - 1; i >= 0; i-- {
		res := recent[i]
		p.Recent = append(p.Recent, ui.ResultRow{At: res.At, Location: names.of(res.Location), Status: string(res.Status), LatencyMS: res.LatencyMS, Message: res.Message})
	}
	incidents, err := s.db.Incidents(store.IncidentQuery{MonitorID: m.ID, Limit: 20})
	if err != nil {
		return err
	}
	monitorNames := map[string]string{m.ID: m.Name}
	for _, inc := range incidents {
		p.Incidents = append(p.Incidents, incidentRow(inc, monitorNames))
	}
	s.render(w, r, http.StatusOK, ui.MonitorPage(p))
	return nil
}

// monitorCharts fills the page's response-time chart, status timeline and
// value charts for cr, their series still named by location id.
func (s *Server) monitorCharts(p *ui.MonitorProps, m store.Monitor, cr chartRange, now time.Time) error {
	var err error
	if p.Chart, err = s.buildChart(m.ID, cr, m.Interval, now); err != nil {
		return err
	}
	p.Timeline = timeline(p.Chart)
	locations := make([]string, 0, len(p.Chart.Series))
	for _, series := range p.Chart.Series {
		locations = append(locations, series.Name)
	}
	values, err := s.valueCharts(m.ID, locations, cr, p.Chart.Step, now)
	if err != nil {
		return err
	}
	units := valueUnits(m.Type)
	for i := range values.charts {
		values.charts[i].Unit = units[values.charts[i].Key]
	}
	p.Values, p.ValuesNote = values.charts, values.note
	return nil
}

// monitorNav is the section of the nav a monitor's page belongs to: a
// file-integrity monitor's is File integrity (the server made it for a
// policy, and its page leads to the host's changes), every other one's
// the dashboard, where monitors are listed.
func monitorNav(m store.Monitor) string {
	if m.Type == checks.FIMType {
		return "fim"
	}
	return "dashboard"
}

// fimMonitorAgent is the agent a file-integrity monitor judges (the one
// location the server gives it, see ensureFIMMonitor, and the API keeps);
// "" for any other monitor.
func fimMonitorAgent(m store.Monitor) string {
	if m.Type != checks.FIMType || len(m.Locations) != 1 || m.Locations[0] == serverLocation {
		return ""
	}
	return m.Locations[0]
}

// isHostCheck says whether a check type reads the host it runs on (cpu,
// memory, disk, …) rather than probing a target.
func isHostCheck(kind string) bool {
	t, ok := checks.Lookup(kind)
	return ok && t.Scope == checks.ScopeHost
}

func (s *Server) handleMonitorPause(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.setPaused(w, r, rc, true)
}

func (s *Server) handleMonitorResume(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.setPaused(w, r, rc, false)
}

func (s *Server) setPaused(w http.ResponseWriter, r *http.Request, rc *reqCtx, paused bool) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromMonitor(m)
	in.Paused = paused
	if _, err := s.updateMonitor(m.ID, in, rc.actor()); err != nil {
		return err
	}
	msg := "Monitor resumed."
	if paused {
		msg = "Monitor paused: it is not checked until you resume it."
	}
	s.redirectWithFlash(w, r, "/monitors/"+m.ID, msg)
	return nil
}

func (s *Server) handleMonitorDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.deleteMonitor(m.ID, rc.actor()); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/", "Monitor "+quote(m.Name)+" deleted.")
	return nil
}

func (s *Server) handleIncidentsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	filter := r.URL.Query().Get("filter")
	if filter != "all" {
		filter = "open"
	}
	list, err := s.db.Incidents(store.IncidentQuery{Open: filter == "open", Limit: 500})
	if err != nil {
		return err
	}
	p := ui.IncidentsProps{Page: s.pageFor(w, r, rc, "Incidents", "incidents"), Filter: filter}
	names := map[string]string{}
	for _, m := range s.monitors.all() {
		names[m.ID] = m.Name
	}
	for _, inc := range list {
		p.Incidents = append(p.Incidents, incidentRow(inc, names))
	}
	s.render(w, r, http.StatusOK, ui.IncidentsPage(p))
	return nil
}

func (s *Server) handleIncidentAckForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.ackIncident(r.PathValue("id"), r.PostFormValue("note"), rc.actor()); err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("next"))
	if back == "/" {
		back = "/incidents"
	}
	s.redirectWithFlash(w, r, back, "Incident acknowledged.")
	return nil
}

func incidentRow(inc store.Incident, names map[string]string) ui.IncidentRow {
	row := ui.IncidentRow{
		ID: inc.ID, MonitorID: inc.MonitorID, MonitorName: names[inc.MonitorID],
		StartedAt: inc.StartedAt, Open: inc.Status == "open", Message: inc.Message,
		AcknowledgedBy: inc.AcknowledgedBy, AckNote: inc.AckNote,
	}
	if row.MonitorName == "" {
		row.MonitorName = "deleted monitor " + inc.MonitorID
	}
	if inc.EndedAt != nil {
		row.EndedAt = *inc.EndedAt
	}
	if inc.AcknowledgedAt != nil {
		row.AcknowledgedAt = *inc.AcknowledgedAt
	}
	return row
}
