package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

func (s *Server) handleContactNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := ui.ContactForm{Type: r.URL.Query().Get("type"), Settings: map[string]string{}}
	if values.Type == "" {
		values.Type = "email"
	}
	s.renderContactForm(w, r, rc, http.StatusOK, false, values, nil)
	return nil
}

func (s *Server) handleContactEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	s.renderContactForm(w, r, rc, http.StatusOK, true, contactFormFrom(c), nil)
	return nil
}

// handleContactFormRefresh re-renders the form for another type ("Change
// type"): nothing is saved.
func (s *Server) handleContactFormRefresh(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := contactFormValues(r.PostForm)
	editing := r.PathValue("id") != ""
	if editing {
		c, err := s.findContact(r.PathValue("id"))
		if err != nil {
			return err
		}
		values.ID = c.ID
		if c.Type == values.Type {
			_, set := publicSettings(c)
			values.SecretsSet = secretSet(set)
		}
	}
	s.renderContactForm(w, r, rc, http.StatusOK, editing, values, nil)
	return nil
}

func (s *Server) handleContactCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := contactFormValues(r.PostForm)
	in, err := contactInputFromForm(r.PostForm, values)
	var c store.Contact
	if err == nil {
		c, err = s.createContact(in, rc.actor())
	}
	if err != nil {
		return s.contactFormError(w, r, rc, false, values, err)
	}
	s.redirectWithFlash(w, r, "/contacts", "Contact "+quote(c.Name)+" created. Send it a test message to check it.")
	return nil
}

func (s *Server) handleContactUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	old, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	values := contactFormValues(r.PostForm)
	values.ID = old.ID
	if old.Type == values.Type {
		_, set := publicSettings(old)
		values.SecretsSet = secretSet(set)
	}
	in, err := contactInputFromForm(r.PostForm, values)
	var c store.Contact
	if err == nil {
		c, err = s.updateContact(old.ID, in, rc.actor())
	}
	if err != nil {
		return s.contactFormError(w, r, rc, true, values, err)
	}
	s.redirectWithFlash(w, r, "/contacts", "Contact "+quote(c.Name)+" saved.")
	return nil
}

func (s *Server) contactFormError(w http.ResponseWriter, r *http.Request, rc *reqCtx, editing bool, values ui.ContactForm, err error) error {
	errs, ok := formErrors(err, func(f string) string {
		if f == "settings" {
			return ""
		}
		return f
	})
	if !ok {
		return err
	}
	s.renderContactForm(w, r, rc, http.StatusBadRequest, editing, values, errs)
	return nil
}

func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, editing bool, values ui.ContactForm, errs map[string]string) {
	title := "New contact"
	if editing {
		title = "Edit contact"
	}
	p := ui.ContactFormProps{Page: s.pageFor(w, r, rc, title, "notifications"), Editing: editing, Values: values, Errors: errs, Types: notifyFormTypes()}
	s.render(w, r, status, ui.ContactFormPage(p))
}

// notifyFormTypes describes every contact type for the form.
func notifyFormTypes() []ui.NotifyType {
	var out []ui.NotifyType
	for _, t := range notify.Types() {
		nt := ui.NotifyType{Name: t.Name, Title: t.Title}
		for _, st := range t.Settings {
			nt.Settings = append(nt.Settings, ui.NotifySetting{Name: st.Name, Kind: st.Kind, Default: st.Default, Help: st.Help,
				Options: st.Options, Required: st.Required, Secret: st.Secret})
		}
		out = append(out, nt)
	}
	return out
}

// contactFormValues reads the contact form as typed. Secret fields are
// not kept: they are never sent back to the browser.
func contactFormValues(v url.Values) ui.ContactForm {
	f := ui.ContactForm{Name: v.Get("name"), Type: v.Get("type"), Settings: map[string]string{}}
	t, _ := notify.Lookup(f.Type)
	secret := map[string]bool{}
	for _, name := range t.SecretNames() {
		secret[name] = true
	}
	for key, vals := range v {
		if name, ok := strings.CutPrefix(key, "settings."); ok && len(vals) > 0 && !secret[name] {
			f.Settings[name] = vals[len(vals)-1]
		}
	}
	return f
}

// contactInputFromForm turns the form into the API's input: the typed
// settings of the chosen type, converted by kind; a secret left empty is
// left out (kept), and one whose "Remove" box is ticked is sent as "".
func contactInputFromForm(v url.Values, f ui.ContactForm) (contactInput, error) {
	in := contactInput{Name: f.Name, Type: f.Type}
	t, ok := notify.Lookup(f.Type)
	if !ok {
		return in, badRequest("type", "choose a contact type")
	}
	settings := map[string]any{}
	for _, st := range t.Settings {
		if st.Secret {
			if plain := v.Get("settings." + st.Name); plain != "" {
				settings[st.Name] = plain
			} else if v.Get("clear.settings."+st.Name) == "true" {
				settings[st.Name] = ""
			}
			continue
		}
		raw := strings.TrimSpace(f.Settings[st.Name])
		if raw == "" || raw == st.Default {
			continue
		}
		val, err := settingValue(checks.Setting{Name: st.Name, Kind: st.Kind, Default: st.Default}, raw)
		if err != nil {
			return in, badRequest("settings."+st.Name, "%s: %s", st.Name, err.Error())
		}
		if val != nil {
			settings[st.Name] = val
		}
	}
	b, err := json.Marshal(settings)
	if err != nil {
		return in, err
	}
	in.Settings = b
	return in, nil
}

// contactFormFrom fills the edit form from a stored contact, secrets
// left out.
func contactFormFrom(c store.Contact) ui.ContactForm {
	settings, set := publicSettings(c)
	f := ui.ContactForm{ID: c.ID, Name: c.Name, Type: c.Type, Settings: map[string]string{}, SecretsSet: secretSet(set)}
	var fields map[string]any
	_ = json.Unmarshal(settings, &fields)
	for k, v := range fields {
		f.Settings[k] = formString(v)
	}
	return f
}

func secretSet(names []string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}
