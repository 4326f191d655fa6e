package server

import (
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// formSecrets is what one post of the monitor or contact form says of
// the chosen type's secret settings. The page never holds a secret in
// plain text: a stored one is only said to be there, and one typed into a
// form that was not saved comes back sealed for the session (see
// enteredPurpose).
type formSecrets struct {
	plain map[string]string // typed now, or entered in a post before: sent as the new value
	clear map[string]bool   // "Remove the stored value" ticked: sent as ""
}

// secretForm names a form whose secrets come back sealed. The sealed
// copies of one form open in no other.
type secretForm string

const (
	monitorFormSecrets secretForm = "monitor-form"
	contactFormSecrets secretForm = "contact-form"
)

// readFormSecrets reads the monitor form's secrets, those of check type
// t (see readSecrets).
func (s *Server) readFormSecrets(v url.Values, t checks.Type, rc *reqCtx) formSecrets {
	return s.readSecrets(v, monitorFormSecrets, t.SecretNames(), rc)
}

// entered seals the monitor form's secrets for the form shown again (see
// sealEntered).
func (s *Server) entered(fs formSecrets, t checks.Type, rc *reqCtx) map[string]string {
	return s.sealEntered(fs, monitorFormSecrets, t.SecretNames(), rc)
}

// readSecrets reads the secret settings names from a post of form: a
// value typed wins, then a ticked "remove" box, then the sealed copy of a
// value entered before (which opens only in the session and the form
// that made it). A secret with none of them is left out: the stored
// value is kept.
func (s *Server) readSecrets(v url.Values, form secretForm, names []string, rc *reqCtx) formSecrets {
	fs := formSecrets{plain: map[string]string{}, clear: map[string]bool{}}
	for _, name := range names {
		field := "settings." + name
		if typed := v.Get(field); typed != "" {
			fs.plain[name] = typed
			continue
		}
		if v.Get("clear."+field) == "true" {
			fs.clear[name] = true
			continue
		}
		sealed := v.Get("entered." + field)
		if sealed == "" || rc == nil || rc.session == nil {
			continue
		}
		if plain, err := s.seal.Open(sealed, enteredPurpose(form, rc.session, name)); err == nil && plain != "" {
			fs.plain[name] = plain
		}
	}
	return fs
}

// addTo puts the secrets into the settings the form sends (a JSON
// object), as the API takes them: a value to set, or "" to remove.
func (fs formSecrets) addTo(settings json.RawMessage) (json.RawMessage, error) {
	if len(fs.plain) == 0 && len(fs.clear) == 0 {
		return settings, nil
	}
	fields, err := settingsObject(settings)
	if err != nil {
		return nil, err
	}
	for name, v := range fs.plain {
		fields[name] = jsonString(v)
	}
	for name := range fs.clear {
		fields[name] = jsonString("")
	}
	return json.Marshal(fields)
}

// sealEntered seals the secrets of a post of form that was not saved,
// for the form shown again: only those in names (the secrets of the type
// now chosen), each bound to the session, so the copy opens in no other
// session, form or field.
func (s *Server) sealEntered(fs formSecrets, form secretForm, names []string, rc *reqCtx) map[string]string {
	out := map[string]string{}
	if rc == nil || rc.session == nil {
		return out
	}
	for name, plain := range fs.plain {
		if !slices.Contains(names, name) {
			continue
		}
		sealed, err := s.seal.Seal(plain, enteredPurpose(form, rc.session, name))
		if err != nil {
			s.log.Warn("keep an entered secret", "form", string(form), "setting", name, "err", err)
			continue
		}
		out[name] = sealed
	}
	return out
}

// enteredPurpose binds a secret entered in a form to the form, the
// session (by its token's hash, which the page does not hold) and the
// setting.
func enteredPurpose(form secretForm, sess *store.Session, name string) string {
	return string(form) + "-entered:" + hex.EncodeToString(sess.TokenHash) + ":" + name
}

// storedSecrets says which of the stored monitor's secrets hold a value,
// for the form of the same type ("stored — leave empty to keep it").
func storedSecrets(m store.Monitor, typ string) map[string]bool {
	out := map[string]bool{}
	if m.Type != typ {
		return out
	}
	_, set := publicMonitorSettings(m)
	for _, name := range set {
		out[name] = true
	}
	return out
}
