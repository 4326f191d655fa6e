package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// contactSettings validates the settings a person sent for a contact of
// type t, with the secrets in plain text (never stored), and returns what
// is stored: the same settings with the secrets sealed. A secret left out
// or null keeps the value old holds (when old's type has the same
// secret); "" removes it. When the contact now sends to another host, a
// stored secret is not kept but must be sent again (see movedDestination).
func (s *Server) contactSettings(t notify.Type, in json.RawMessage, old *store.Contact) (json.RawMessage, error) {
	fields, err := settingsObject(in)
	if err != nil {
		return nil, badRequest("settings", "settings must be a JSON object")
	}
	kept, err := s.keptSecrets(t, old)
	if err != nil {
		return nil, err
	}
	moved := movedDestination(t, fields, old)
	var errs fieldErrors
	plain := map[string]string{}
	for _, name := range t.SecretNames() {
		raw, present := fields[name]
		delete(fields, name)
		if !present || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			if v, ok := kept[name]; ok && moved != "" {
				errs.add(badRequest("settings."+name, "settings.%s now points to another host, so the stored %s is not sent there: "+
					"enter %s again, or remove it", moved, name, name))
			} else if ok {
				plain[name] = v
			}
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, badRequest("settings."+name, "settings.%s must be a string", name)
		}
		if v != "" {
			plain[name] = v
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	openFields := cloneFields(fields)
	for name, v := range plain {
		openFields[name] = jsonString(v)
	}
	opened, err := json.Marshal(openFields)
	if err != nil {
		return nil, err
	}
	if _, err := notify.New(t.Name, opened, s.notifyEnv()); err != nil {
		return nil, settingError(err)
	}
	for name, v := range plain {
		sv, err := s.seal.Seal(v, sealContactSetting(name))
		if err != nil {
			return nil, err
		}
		fields[name] = jsonString(sv)
	}
	sealed, err := json.Marshal(fields)
	return compactJSON(sealed), err
}

// keptSecrets opens the secrets of old that t also has, so a change that
// leaves them out keeps them (sms and voice share the Twilio token).
func (s *Server) keptSecrets(t notify.Type, old *store.Contact) (map[string]string, error) {
	out := map[string]string{}
	if old == nil {
		return out, nil
	}
	oldType, ok := notify.Lookup(old.Type)
	if !ok {
		return out, nil
	}
	fields, err := settingsObject(old.Settings)
	if err != nil {
		return nil, err
	}
	for _, name := range t.SecretNames() {
		raw, present := fields[name]
		if !present || !slices.Contains(oldType.SecretNames(), name) {
			continue
		}
		var sealedValue string
		if err := json.Unmarshal(raw, &sealedValue); err != nil || sealedValue == "" {
			continue
		}
		v, err := s.seal.Open(sealedValue, sealContactSetting(name))
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// movedDestination returns the first of t's destination settings (see
// destinationNames) whose scheme, host or port differs between old and the
// settings sent, or "" when the contact still sends where it did. A secret
// kept across such a change would go to a host chosen by whoever edited
// the URL, who need not know the secret: an editor could point an
// administrator's webhook at their own server and press "Send test".
func movedDestination(t notify.Type, fields map[string]json.RawMessage, old *store.Contact) string {
	if old == nil {
		return ""
	}
	oldFields, err := settingsObject(old.Settings)
	if err != nil {
		return ""
	}
	for _, name := range destinationNames(t) {
		if urlOrigin(oldFields[name]) != urlOrigin(fields[name]) {
			return "settings." + name
		}
	}
	return ""
}

// destinationNames are the settings of t that say which host it sends to:
// its URLs that are not secret ("url", "…_url"). A secret URL such as
// Slack's webhook_url is itself write-only, so it cannot move without
// being sent again.
func destinationNames(t notify.Type) []string {
	var out []string
	for _, st := range t.Settings {
		if !st.Secret && (st.Name == "url" || strings.HasSuffix(st.Name, "_url")) {
			out = append(out, st.Name)
		}
	}
	return out
}

// urlOrigin is "scheme://host:port" of a URL setting, with the port the
// scheme implies made explicit; "" when the setting is absent. A value
// that is not a URL is its own origin, so any change to it counts.
func urlOrigin(raw json.RawMessage) string {
	var v string
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" {
		return "invalid:" + v
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// publicSettings is a contact's settings without its secrets, and the
// names of the secrets that hold a value: what the API and pages show.
func publicSettings(c store.Contact) (json.RawMessage, []string) {
	fields, err := settingsObject(c.Settings)
	if err != nil {
		return json.RawMessage("{}"), []string{}
	}
	set := []string{}
	if t, ok := notify.Lookup(c.Type); ok {
		for _, name := range t.SecretNames() {
			raw, present := fields[name]
			delete(fields, name)
			var v string
			if present && json.Unmarshal(raw, &v) == nil && v != "" {
				set = append(set, name)
			}
		}
	} else {
		// A type this build does not know: show nothing rather than
		// risk showing a sealed secret as if it were plain.
		fields = map[string]json.RawMessage{}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return json.RawMessage("{}"), set
	}
	return out, set
}

func cloneFields(in map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// settingsObject decodes settings as a JSON object ({} when empty).
func settingsObject(raw json.RawMessage) (map[string]json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	if len(raw) == 0 || string(raw) == "null" {
		return fields, nil
	}
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, errors.New("settings must be a JSON object")
	}
	return fields, nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
