package server

import (
	"time"

	"github.com/vigil-monitor/vigil/checks"

	"github.com/vigil-monitor/vigil/store"
)

// reconcileIncidents makes stored states and open incidents agree before
// the engine starts. An incident is created in one transaction and the
// state naming it is stored in the next, so a crash between them leaves
// an open incident no state points at: it is adopted (the newest one of a
// monitor) or, when the state already has another, resolved. Open
// incidents of deleted monitors are resolved too.
func (s *Server) reconcileIncidents(monitors []store.Monitor, states map[string]store.MonitorState) error {
	open, err := s.db.Incidents(store.IncidentQuery{Open: true})
	if err != nil {
		return err
	}
	exists := make(map[string]bool, len(monitors))
	for _, m := range monitors {
		exists[m.ID] = true
	}
	now := time.Now().UTC()
	var adopted []store.MonitorState
	for _, inc := range open { // newest first
		st, ok := states[inc.MonitorID]
		switch {
		case !exists[inc.MonitorID]:
		case inc.ID == st.IncidentID:
			continue
		case st.IncidentID == "":
			if !ok {
				st = store.MonitorState{MonitorID: inc.MonitorID, Status: checks.StatusProblem, Since: inc.StartedAt, Locations: map[string]store.LocationState{}}
			}
			st.IncidentID = inc.ID
			states[inc.MonitorID] = st
			adopted = append(adopted, st)
			s.log.Warn("open incident adopted by its monitor's state", "incident", inc.ID, "monitor", inc.MonitorID)
			continue
		}
		inc.Status, inc.EndedAt = store.IncidentResolved, &now
		if err := s.db.UpdateIncident(&inc); err != nil {
			return err
		}
		s.log.Warn("orphaned open incident resolved", "incident", inc.ID, "monitor", inc.MonitorID)
	}
	if len(adopted) > 0 {
		return s.db.PutMonitorStates(adopted)
	}
	return nil
}
