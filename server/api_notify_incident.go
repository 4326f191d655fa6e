package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// maxLogRows bounds one incident's notification log in an answer.
const maxLogRows = 1000

// attemptOutput is one attempt to notify a contact of an incident.
type attemptOutput struct {
	At          time.Time `json:"at"`
	ContactID   string    `json:"contact_id"`
	Contact     string    `json:"contact"`
	Type        string    `json:"type"`
	Event       string    `json:"event"`
	Step        int       `json:"step"`
	Attempt     int       `json:"attempt"`
	Result      string    `json:"result"`
	Error       string    `json:"error"`
	AfterMillis int64     `json:"after_ms"` // from the event to this attempt
}

func attemptView(a store.NotificationAttempt) attemptOutput {
	return attemptOutput{
		At: a.At.UTC(), ContactID: a.ContactID, Contact: a.ContactName, Type: a.ContactType, Event: a.Event,
		Step: a.Step, Attempt: a.Attempt, Result: a.Result, Error: a.Error, AfterMillis: a.NotifiedAfter.Milliseconds(),
	}
}

func (s *Server) findIncident(id string) (store.Incident, error) {
	inc, err := s.db.Incident(id)
	if errors.Is(err, store.ErrNotFound) {
		return inc, notFound("incident", id)
	}
	return inc, err
}

func (s *Server) handleAPIIncidentGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, err := s.findIncident(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, incidentUTC(inc))
	return nil
}

// handleAPIIncidentNotifications answers the notification log of one
// incident, oldest first: every attempt, suppression and cancellation.
func (s *Server) handleAPIIncidentNotifications(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, err := s.findIncident(r.PathValue("id"))
	if err != nil {
		return err
	}
	log, err := s.db.NotificationLog(inc.ID, maxLogRows)
	if err != nil {
		return err
	}
	out := make([]attemptOutput, 0, len(log))
	for _, a := range log {
		out = append(out, attemptView(a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
