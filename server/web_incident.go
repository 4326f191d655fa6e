package server

import (
	"net/http"

	"github.com/vigil-monitor/vigil/ui"
)

// handleIncidentPage shows one incident with its monitor, the
// acknowledgement form and the notification log.
func (s *Server) handleIncidentPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, err := s.findIncident(r.PathValue("id"))
	if err != nil {
		return err
	}
	names := map[string]string{}
	p := ui.IncidentProps{Page: s.pageFor(w, r, rc, "Incident "+inc.ID, "incidents"), CanAck: canEdit(rc)}
	if m, ok := s.monitors.get(inc.MonitorID); ok {
		names[m.ID] = m.Name
		status, _ := s.monitorStatus(m)
		p.MonitorType, p.MonitorTarget, p.MonitorStatus = m.Type, m.Target, string(status)
	}
	p.Incident = incidentRow(inc, names)
	log, err := s.db.NotificationLog(inc.ID, maxLogRows)
	if err != nil {
		return err
	}
	for _, a := range log {
		p.Notifications = append(p.Notifications, ui.NotificationRow{At: a.At, Contact: a.ContactName, Type: a.ContactType,
			Event: a.Event, Step: a.Step, Attempt: a.Attempt, Result: a.Result, Error: a.Error})
	}
	pending, err := s.db.PendingNotifications(inc.ID)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		dir, err := s.loadDirectory()
		if err != nil {
			return err
		}
		for _, e := range pending {
			row := ui.NotificationRow{At: e.NotBefore, Contact: dir.targetName(e.ContactID), Event: e.Event,
				Step: e.Step, Attempt: e.Attempts, Result: "queued"}
			if c, ok := dir.contact(e.ContactID); ok {
				row.Type = c.Type
			}
			p.Pending = append(p.Pending, row)
		}
	}
	s.render(w, r, http.StatusOK, ui.IncidentPage(p))
	return nil
}
