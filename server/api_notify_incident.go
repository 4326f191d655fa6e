package server

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
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

// attemptView shows a; for a viewer (full false) the error keeps the
// scheme and host of any URL in it but not the path, which may be a
// contact's secret (an ntfy topic, a chat webhook's token).
func attemptView(a store.NotificationAttempt, full bool) attemptOutput {
	msg := a.Error
	if !full {
		msg = cutURLPaths(msg)
	}
	return attemptOutput{
		At: a.At.UTC(), ContactID: a.ContactID, Contact: a.ContactName, Type: a.ContactType, Event: a.Event,
		Step: a.Step, Attempt: a.Attempt, Result: a.Result, Error: msg, AfterMillis: a.NotifiedAfter.Milliseconds(),
	}
}

// urlInText finds http(s) URLs in free text: the scheme and host, then
// the rest up to a space or a quote.
var urlInText = regexp.MustCompile(`(?i)(https?://[^\s/?#"'<>]+)([/?#][^\s"'<>]*)?`)

// cutURLPaths replaces the path, query and fragment of every http(s) URL
// in s by "/…". The senders already name receivers this way; this keeps
// a provider's answer that echoes its URL from showing it to viewers.
func cutURLPaths(s string) string {
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		sub := urlInText.FindStringSubmatch(m)
		// Punctuation after a URL ends the sentence, not the path.
		path := strings.TrimRight(sub[2], ".,:;!)]}")
		if path == "" || path == "/" {
			return m
		}
		return sub[1] + "/…" + sub[2][len(path):]
	})
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
		out = append(out, attemptView(a, canEdit(rc)))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
