package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/alerting"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// The one-click acknowledgement link from an email:
// GET /ack/{incident}?c=&e=&s= asks, POST /ack/{incident} with the same
// signed fields acknowledges. No session is needed: the signature, bound
// to the incident, the contact and an expiry, is the authority, and the
// signed fields are the form's CSRF token (a forger cannot make them).
// Mail scanners follow links, so the GET changes nothing.

// ackLink is a verified link: the incident and the contact it was sent to.
type ackLink struct {
	incident store.Incident
	contact  store.Contact
	query    url.Values
}

// verifyAckLink checks the signed fields q for incident id. Every failure
// is a 403 or 404 page that says what to do instead.
func (s *Server) verifyAckLink(id string, q url.Values) (ackLink, error) {
	if s.ackSigner == nil {
		return ackLink{}, errStatus(http.StatusForbidden, "Acknowledgement links are not enabled on this server. Sign in and acknowledge the incident on its page.")
	}
	contactID, err := s.ackSigner.Verify(id, q, time.Now())
	switch {
	case errors.Is(err, alerting.ErrAckLinkExpired):
		return ackLink{}, errStatus(http.StatusForbidden, "This acknowledgement link has expired. Sign in and acknowledge the incident on its page.")
	case err != nil:
		return ackLink{}, errStatus(http.StatusForbidden, "This acknowledgement link is not valid: it may have been cut short or changed. Sign in and acknowledge the incident on its page.")
	}
	c, err := s.db.Contact(contactID)
	if errors.Is(err, store.ErrNotFound) {
		return ackLink{}, errStatus(http.StatusForbidden, "The contact this link was sent to no longer exists, so the link no longer works. Sign in and acknowledge the incident on its page.")
	} else if err != nil {
		return ackLink{}, err
	}
	inc, err := s.findIncident(id)
	if err != nil {
		return ackLink{}, err
	}
	signed := url.Values{"c": {q.Get("c")}, "e": {q.Get("e")}, "s": {q.Get("s")}}
	return ackLink{incident: inc, contact: c, query: signed}, nil
}

func (s *Server) ackLinkProps(l ackLink) ui.AckLinkProps {
	name := l.incident.MonitorID
	if m, ok := s.monitors.get(l.incident.MonitorID); ok {
		name = m.Name
	}
	return ui.AckLinkProps{
		Page:       s.page("Acknowledge incident", "", "", ""),
		IncidentID: l.incident.ID, MonitorName: name, Contact: l.contact.Name,
		StartedAt: l.incident.StartedAt, Message: l.incident.Message,
		C: l.query.Get("c"), E: l.query.Get("e"), S: l.query.Get("s"),
	}
}

// handleAckLinkPage asks "Acknowledge incident X of monitor Y?", or says
// why there is nothing to do; it changes nothing.
func (s *Server) handleAckLinkPage(w http.ResponseWriter, r *http.Request) {
	l, err := s.verifyAckLink(r.PathValue("id"), r.URL.Query())
	if err != nil {
		s.ackLinkError(w, r, err)
		return
	}
	p := s.ackLinkProps(l)
	switch {
	case l.incident.Status != store.IncidentOpen:
		p.Done, p.Failed = "This incident has ended already: there is nothing to acknowledge.", true
	case l.incident.AcknowledgedAt != nil:
		p.Done, p.Failed = "This incident was acknowledged already by "+strings.TrimPrefix(l.incident.AcknowledgedBy, contactActorPrefix)+".", true
	}
	s.render(w, r, http.StatusOK, ui.AckLinkPage(p))
}

// contactActorPrefix marks, in the audit log and an incident's
// acknowledged_by, a contact that used its link rather than a user; what
// people read names the contact alone ("Ops mail (email link)").
const contactActorPrefix = "contact:"

// handleAckLinkSubmit acknowledges the incident as the contact the link
// was sent to.
func (s *Server) handleAckLinkSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, nil, http.StatusBadRequest, "The form could not be read.")
		return
	}
	l, err := s.verifyAckLink(r.PathValue("id"), r.PostForm)
	if err != nil {
		s.ackLinkError(w, r, err)
		return
	}
	by := store.Actor{Username: contactActorPrefix + l.contact.Name + " (email link)", IP: clientIP(r)}
	p := s.ackLinkProps(l)
	inc, err := s.ackIncident(l.incident.ID, "", by)
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		p.Done, p.Failed = capitalize(ae.Msg)+".", true
	case err != nil:
		s.ackLinkError(w, r, err)
		return
	default:
		p.Done = "Incident " + inc.ID + " of " + p.MonitorName + " is acknowledged by " + strings.TrimPrefix(inc.AcknowledgedBy, contactActorPrefix) + ". Further escalation is stopped."
	}
	s.render(w, r, http.StatusOK, ui.AckLinkPage(p))
}

func (s *Server) ackLinkError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		s.renderError(w, r, nil, ae.Status, ae.Msg)
		return
	}
	s.log.Error("acknowledgement link", "path", r.URL.Path, "err", err)
	s.renderError(w, r, nil, http.StatusInternalServerError, "Something went wrong on the server; the details are in its log.")
}
