package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// contactSettings validates the settings a person sent for a contact of
// type t, with the secrets in plain text (never stored), and returns what
// is stored: the same settings with the secrets sealed. A secret left out
// or null keeps the value old holds (when old's type has the same
// secret); "" removes it.
func (s *Server) contactSettings(t notify.Type, in json.RawMessage, old *store.Contact) (json.RawMessage, error) {
	fields, err := settingsObject(in)
	if err != nil {
		return nil, badRequest("settings", "settings must be a JSON object")
	}
	kept, err := s.keptSecrets(t, old)
	if err != nil {
		return nil, err
	}
	plain := map[string]string{}
	for _, name := range t.SecretNames() {
		raw, present := fields[name]
		delete(fields, name)
		if !present || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			if v, ok := kept[name]; ok {
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
