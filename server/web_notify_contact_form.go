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

// contactFormView is the contact form as shown: the values as typed, and
// the secrets a post that was not saved held (shown again sealed).
type contactFormView struct {
	values  ui.ContactForm
	secrets formSecrets
}

func (s *Server) handleContactNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := ui.ContactForm{Type: r.URL.Query().Get("type"), Settings: map[string]string{}}
	if values.Type == "" {
		values.Type = "email"
	}
	s.renderContactForm(w, r, rc, http.StatusOK, false, contactFormView{values: values}, nil)
	return nil
}

func (s *Server) handleContactEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	s.renderContactForm(w, r, rc, http.StatusOK, true, contactFormView{values: contactFormFrom(c)}, nil)
	return nil
}

// postedContactForm reads a post of the contact form: the values as
// typed and the secrets of the chosen type (see readSecrets).
func (s *Server) postedContactForm(v url.Values, rc *reqCtx) contactFormView {
	values := contactFormValues(v)
	return contactFormView{values: values, secrets: s.readSecrets(v, contactFormSecrets, contactSecretNames(values.Type), rc)}
}

// contactSecretNames names the secret settings of contact type typ, none
// for an unknown type.
func contactSecretNames(typ string) []string {
	t, _ := notify.Lookup(typ)
	return t.SecretNames()
}

// handleContactFormRefresh re-renders the form for another type ("Change
// type"): nothing is saved.
func (s *Server) handleContactFormRefresh(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	view := s.postedContactForm(r.PostForm, rc)
	editing := r.PathValue("id") != ""
	if editing {
		c, err := s.findContact(r.PathValue("id"))
		if err != nil {
			return err
		}
		view.values.ID = c.ID
		if c.Type == view.values.Type {
			_, set := publicSettings(c)
			view.values.SecretsSet = secretSet(set)
		}
	}
	s.renderContactForm(w, r, rc, http.StatusOK, editing, view, nil)
	return nil
}

func (s *Server) handleContactCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	view := s.postedContactForm(r.PostForm, rc)
	in, err := contactInputFromForm(view.values, view.secrets)
	var c store.Contact
	if err == nil {
		c, err = s.createContact(in, rc.actor())
	}
	if err != nil {
		return s.contactFormError(w, r, rc, false, view, err)
	}
	s.redirectWithFlash(w, r, "/contacts", "Contact "+quote(c.Name)+" created. Send it a test message to check it.")
	return nil
}

func (s *Server) handleContactUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	old, err := s.findContact(r.PathValue("id"))
	if err != nil {
		return err
	}
	view := s.postedContactForm(r.PostForm, rc)
	view.values.ID = old.ID
	if old.Type == view.values.Type {
		_, set := publicSettings(old)
		view.values.SecretsSet = secretSet(set)
	}
	in, err := contactInputFromForm(view.values, view.secrets)
	var c store.Contact
	if err == nil {
		c, err = s.updateContact(old.ID, in, rc.actor())
	}
	if err != nil {
		return s.contactFormError(w, r, rc, true, view, err)
	}
	s.redirectWithFlash(w, r, "/contacts", "Contact "+quote(c.Name)+" saved.")
	return nil
}

func (s *Server) contactFormError(w http.ResponseWriter, r *http.Request, rc *reqCtx, editing bool, view contactFormView, err error) error {
	errs, ok := formErrors(err, func(f string) string {
		if f == "settings" {
			return ""
		}
		return f
	})
	if !ok {
		return err
	}
	s.renderContactForm(w, r, rc, http.StatusBadRequest, editing, view, errs)
	return nil
}

// renderContactForm shows the form, a secret typed into a post that was
// not saved sealed for this session (see sealEntered).
func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, editing bool, view contactFormView, errs map[string]string) {
	title := "New contact"
	if editing {
		title = "Edit contact"
	}
	values := view.values
	values.SecretsEntered = s.sealEntered(view.secrets, contactFormSecrets, contactSecretNames(values.Type), rc)
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

// contactFormValues reads the contact form as typed but for the secret
// settings, which are never sent back to the browser (see readSecrets).
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
// settings of the chosen type, converted by kind, and its secrets as
// readSecrets found them: typed, or else entered in a post before that
// was not saved; one whose "Remove" box is ticked is sent as ""; one left
// empty is left out (the stored value is kept).
func contactInputFromForm(f ui.ContactForm, secrets formSecrets) (contactInput, error) {
	in := contactInput{Name: f.Name, Type: f.Type}
	t, ok := notify.Lookup(f.Type)
	if !ok {
		return in, badRequest("type", "choose a contact type")
	}
	settings := map[string]any{}
	for _, st := range t.Settings {
		if st.Secret {
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
	in.Settings, err = secrets.addTo(b)
	return in, err
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
