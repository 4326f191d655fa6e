package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

const maxAckNote = 1000

func (s *Server) handleAPIIncidents(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	v := r.URL.Query()
	q := store.IncidentQuery{Limit: 500, MonitorID: v.Get("monitor_id")}
	resolvedOnly := false
	switch v.Get("open") {
	case "":
	case "true":
		q.Open = true
	case "false":
		resolvedOnly = true
	default:
		return badRequest("open", "open must be true or false")
	}
	if limit := v.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > 10000 {
			return badRequest("limit", "limit must be a whole number from 1 to 10000")
		}
		q.Limit = n
	}
	list, err := s.db.Incidents(q)
	if err != nil {
		return err
	}
	out := make([]store.Incident, 0, len(list))
	for _, inc := range list {
		if resolvedOnly && inc.Status == store.IncidentOpen {
			continue
		}
		out = append(out, incidentUTC(inc))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIIncidentAck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	inc, err := s.ackIncident(r.PathValue("id"), in.Note, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, incidentUTC(inc))
	return nil
}

// incidentUTC puts an incident's times in UTC, as the API promises
// whatever the server's time zone.
func incidentUTC(inc store.Incident) store.Incident {
	inc.StartedAt = inc.StartedAt.UTC()
	for _, t := range []**time.Time{&inc.EndedAt, &inc.AcknowledgedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return inc
}

// ackIncident records that a person has seen an incident and is on it.
func (s *Server) ackIncident(id, note string, by store.Actor) (store.Incident, error) {
	note = strings.TrimSpace(note)
	if len(note) > maxAckNote {
		return store.Incident{}, badRequest("note", "note has at most %d characters", maxAckNote)
	}
	inc, err := s.db.Incident(id)
	if errors.Is(err, store.ErrNotFound) {
		return inc, errStatus(http.StatusNotFound, "no incident has the id "+quote(id))
	}
	if err != nil {
		return inc, err
	}
	if inc.Status != store.IncidentOpen {
		return inc, errStatus(http.StatusConflict, "this incident has ended already; only an open incident can be acknowledged")
	}
	if inc.AcknowledgedAt != nil {
		return inc, errStatus(http.StatusConflict, "this incident was acknowledged already by "+inc.AcknowledgedBy)
	}
	inc, err = s.db.AckIncident(id, note, by, time.Now().UTC())
	if errors.Is(err, store.ErrConflict) {
		// Someone else acknowledged it between the read above and now.
		return inc, errStatus(http.StatusConflict, "this incident was acknowledged already by "+inc.AcknowledgedBy)
	}
	if err == nil {
		s.acknowledged(inc)
	}
	return inc, err
}
