package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// contactTestTimeout bounds "Send test": the person is waiting.
const contactTestTimeout = 20 * time.Second

// contactInput is what POST and PUT /api/v1/contacts take. On PUT a field
// left out keeps its value; settings, when sent, replace the stored ones,
// except secrets left out or null, which are kept ("" removes one).
type contactInput struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Settings json.RawMessage `json:"settings"`

	// Read-only fields a client may send back unchanged from a GET.
	ID         *json.RawMessage `json:"id,omitempty"`
	Summary    *json.RawMessage `json:"summary,omitempty"`
	SecretsSet *json.RawMessage `json:"secrets_set,omitempty"`
	Groups     *json.RawMessage `json:"groups,omitempty"`
	CreatedAt  *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt  *json.RawMessage `json:"updated_at,omitempty"`
}

// contactOutput is a contact as the API shows it: never a secret, only
// which secrets hold a value. Settings and SecretsSet are for editors
// only (see contactView).
type contactOutput struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Summary    string          `json:"summary"` // where it sends, URLs cut to scheme and host
	Settings   json.RawMessage `json:"settings,omitzero"`
	SecretsSet []string        `json:"secrets_set,omitzero"`
	Groups     []string        `json:"groups"` // ids of the groups it is in
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// contactView shows c; withSettings adds its settings, for editors. A
// viewer gets the name, type and summary only: fields not marked secret
// still carry secrets in practice (an ntfy topic or a chat webhook URL
// is its own password, a header may hold an API key, a body template a
// routing key).
func contactView(c store.Contact, groups []store.ContactGroup, withSettings bool) contactOutput {
	out := contactOutput{ID: c.ID, Name: c.Name, Type: c.Type, Summary: contactSummary(c),
		Groups: []string{}, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	if withSettings {
		out.Settings, out.SecretsSet = publicSettings(c)
	}
	for _, g := range groups {
		for _, m := range g.Members {
			if m == c.ID {
				out.Groups = append(out.Groups, g.ID)
				break
			}
		}
	}
	return out
}

// toContact validates in and fills c; old is the stored contact on an
// update (nil on create), whose secrets are kept unless replaced.
func (s *Server) toContact(in contactInput, c *store.Contact, old *store.Contact) error {
	var errs fieldErrors
	name, err := validRecordName(in.Name)
	errs.add(err)
	t, known := notify.Lookup(strings.TrimSpace(in.Type))
	if !known {
		errs.add(badRequest("type", "unknown contact type %q; one of %s", in.Type, strings.Join(notifyTypeNames(), ", ")))
	}
	var sealed json.RawMessage
	if known {
		settings := in.Settings
		if settings == nil && old != nil && old.Type == t.Name {
			settings, _ = publicSettings(*old) // unchanged: the secrets are kept below
		}
		sealed, err = s.contactSettings(t, settings, old)
		errs.add(err)
	}
	if len(errs) > 0 {
		return errs
	}
	c.Name, c.Type, c.Settings = name, t.Name, sealed
	return nil
}

func notifyTypeNames() []string {
	var out []string
	for _, t := range notify.Types() {
		out = append(out, t.Name)
	}
	return out
}

// createContact validates and stores a contact (audited by the store).
func (s *Server) createContact(in contactInput, by store.Actor) (store.Contact, error) {
	var c store.Contact
	if err := s.toContact(in, &c, nil); err != nil {
		return c, err
	}
	if err := s.db.CreateContact(&c, by); errors.Is(err, store.ErrConflict) {
		return c, conflict("contact", c.Name)
	} else if err != nil {
		return c, err
	}
	return c, nil
}

// updateContact applies in to the contact id.
func (s *Server) updateContact(id string, in contactInput, by store.Actor) (store.Contact, error) {
	old, err := s.findContact(id)
	if err != nil {
		return old, err
	}
	c := old
	if err := s.toContact(in, &c, &old); err != nil {
		return c, err
	}
	switch err := s.db.UpdateContact(&c, by); {
	case errors.Is(err, store.ErrConflict):
		return c, conflict("contact", c.Name)
	case errors.Is(err, store.ErrNotFound):
		return c, notFound("contact", id)
	case err != nil:
		return c, err
	}
	return c, nil
}

// inputFromContact is the starting point of an update: fields left out
// keep their values (settings nil: kept whole, secrets included).
func inputFromContact(c store.Contact) contactInput {
	return contactInput{Name: c.Name, Type: c.Type}
}

func (s *Server) findContact(id string) (store.Contact, error) {
	c, err := s.db.Contact(id)
	if errors.Is(err, store.ErrNotFound) {
		return c, notFound("contact", id)
	}
	return c, err
}

// deleteContact deletes a contact; the store takes it out of groups,
// steps, routes and monitors in the same transaction, and the monitors
// held in memory are brought in line.
func (s *Server) deleteContact(id string, by store.Actor) (store.Contact, error) {
	c, err := s.findContact(id)
	if err != nil {
		return c, err
	}
	if err := s.db.DeleteContact(id, by); errors.Is(err, store.ErrNotFound) {
		return c, notFound("contact", id)
	} else if err != nil {
		return c, err
	}
	s.reloadMonitorsNaming(id)
	return c, nil
}

// reloadMonitorsNaming re-reads the monitors whose notify list or
// escalation names id, after the store took a deleted target out of them.
func (s *Server) reloadMonitorsNaming(id string) {
	s.monitorMu.Lock()
	defer s.monitorMu.Unlock()
	for _, m := range s.monitors.all() {
		if !containsString(m.Notify, id) && m.Escalation != id {
			continue
		}
		fresh, err := s.db.Monitor(m.ID)
		if err != nil {
			s.log.Warn("reload monitor after a notification target was deleted", "monitor", m.ID, "err", err)
			continue
		}
		s.monitors.put(fresh)
		s.engine.UpsertMonitor(fresh)
		s.live.Upsert(fresh)
	}
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// contactSummary says where a contact sends, for lists that viewers see
// too: its addresses or numbers, or its URL's scheme and host only (the
// path and query of a topic or chat webhook URL are often the secret).
func contactSummary(c store.Contact) string {
	settings, _ := publicSettings(c)
	var fields map[string]any
	_ = json.Unmarshal(settings, &fields)
	for _, key := range []string{"to", "url"} {
		if v, ok := fields[key]; ok {
			return summaryValue(key, v)
		}
	}
	if t, ok := notify.Lookup(c.Type); ok {
		return t.Title
	}
	return c.Type
}

func summaryValue(key string, v any) string {
	switch x := v.(type) {
	case string:
		if key == "url" {
			return urlSchemeHost(x)
		}
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// urlSchemeHost is "scheme://host" of a URL, or "" when it is not one.
func urlSchemeHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (s *Server) handleAPIContactList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.Contacts()
	if err != nil {
		return err
	}
	groups, err := s.db.Groups()
	if err != nil {
		return err
	}
	out := make([]contactOutput, 0, len(list))
	for _, c := range list {
		out = append(out, contactView(c, groups, canEdit(rc)))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIContactGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeContact(w, http.StatusOK, c, canEdit(rc))
}

func (s *Server) writeContact(w http.ResponseWriter, status int, c store.Contact, withSettings bool) error {
	groups, err := s.db.Groups()
	if err != nil {
		return err
	}
	writeJSON(w, status, contactView(c, groups, withSettings))
	return nil
}

func (s *Server) handleAPIContactCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in contactInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.createContact(in, rc.actor())
	if err != nil {
		return err
	}
	return s.writeContact(w, http.StatusCreated, c, true)
}

func (s *Server) handleAPIContactUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	old, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromContact(old)
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.updateContact(old.ID, in, rc.actor())
	if err != nil {
		return err
	}
	return s.writeContact(w, http.StatusOK, c, true)
}

func (s *Server) handleAPIContactDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.deleteContact(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sendContactTest sends the contact a test message now, within rc's
// user's rate limit (a 429), and returns the provider's error as a 502.
func (s *Server) sendContactTest(ctx context.Context, id string, rc *reqCtx) (store.Contact, error) {
	c, err := s.findContact(id)
	if err != nil {
		return c, err
	}
	if err := s.allowContactTest(rc); err != nil {
		return c, err
	}
	ctx, cancel := context.WithTimeout(ctx, contactTestTimeout)
	defer cancel()
	if err := s.testContact(ctx, c); err != nil {
		return c, &apiError{Status: http.StatusBadGateway, Msg: "the test message was not delivered: " + err.Error()}
	}
	return c, nil
}

func (s *Server) handleAPIContactTest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.sendContactTest(r.Context(), r.PathValue("id"), rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": "sent"})
	return nil
}
