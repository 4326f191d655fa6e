package server

import (
	"net/http"
	"strconv"

	"github.com/vigil-monitor/vigil/store"
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
	pending, err := s.db.PendingNotifications(inc.ID)
	if err != nil {
		return err
	}
	var dir *directory
	if len(pending) > 0 || unnamed(log) {
		if dir, err = s.loadDirectory(); err != nil {
			return err
		}
	}
	for _, a := range log {
		// The API's rule: viewers see the scheme and host of a URL in a
		// provider's answer, not its path, which may be a secret.
		msg := a.Error
		if !canEdit(rc) {
			msg = cutURLPaths(msg)
		}
		p.Notifications = append(p.Notifications, ui.NotificationRow{At: a.At, Contact: attemptContact(a, dir), Type: a.ContactType,
			Event: a.Event, Step: a.Step, Attempt: a.Attempt, Result: a.Result, Error: msg})
	}
	for _, e := range pending {
		row := ui.NotificationRow{At: e.NotBefore, Contact: dir.targetName(e.ContactID), Event: e.Event,
			Step: e.Step, Attempt: e.Attempts, Result: "queued"}
		if c, ok := dir.contact(e.ContactID); ok {
			row.Type = c.Type
		}
		p.Pending = append(p.Pending, row)
	}
	s.render(w, r, http.StatusOK, ui.IncidentPage(p))
	return nil
}

// unnamed says whether a log line lacks its contact's name: a
// cancellation is written for many entries at once, with only their ids.
func unnamed(log []store.NotificationAttempt) bool {
	for _, a := range log {
		if a.ContactName == "" {
			return true
		}
	}
	return false
}

// attemptContact names the contact of a log line: as logged, else by its
// id from dir, else by the escalation step it belonged to.
func attemptContact(a store.NotificationAttempt, dir *directory) string {
	switch {
	case a.ContactName != "":
		return a.ContactName
	case a.ContactID != "" && dir != nil:
		return dir.targetName(a.ContactID)
	case a.Step > 0:
		return "escalation step " + strconv.Itoa(a.Step)
	}
	return ""
}
