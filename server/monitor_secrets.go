package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
)

// errUndecryptable is why a monitor whose stored secrets do not open does
// not run: its checks report it as their problem, and the log says it.
var errUndecryptable = errors.New("settings cannot be decrypted: the data directory's secret.key changed")

// sealMonitorSetting is the seal purpose of a monitor's secret setting, so
// a sealed value copied into a contact's settings (or the other way round)
// does not open there.
func sealMonitorSetting(name string) string { return "monitor-setting:" + name }

// monitorSecrets is what monitorSettings needs besides the settings sent.
type monitorSecrets struct {
	// box seals and opens the secrets; nil only where nothing is stored
	// (toMonitor, validation alone), which then keeps them as sent.
	box *seal.Box
	// old is the stored monitor on an update, nil on create.
	old *store.Monitor
	// locations are where the monitor will run (resolved agent ids and
	// "server"): an agent new to it receives its secrets in plain text.
	locations []string
}

// undecryptableStandIn takes the place of a kept secret that does not
// open, only to validate the other settings: such a monitor is never run
// (see scheduleUndecryptable), so the stand-in never leaves the server.
const undecryptableStandIn = "stored-secret-that-does-not-open"

// monitorSettings takes the settings a person sent for a monitor of type
// t, secrets in plain text, and returns them twice: opened (what the
// checker is validated with, never stored) and sealed (what is stored). A
// secret left out or null keeps the value old holds when old has the same
// type; "" removes it. A stored secret is not kept when the monitor now
// reaches another host (see monitorMovedTo): a 400 naming the secret,
// which must be sent again. One that no longer opens (another
// secret.key) is kept as it is, so a monitor can still be paused or
// renamed, and the secret opens again if the old key comes back.
func (ms monitorSecrets) monitorSettings(t checks.Type, target string, in json.RawMessage) (opened, sealed json.RawMessage, err error) {
	fields, err := settingsObject(in)
	if err != nil {
		return nil, nil, badRequest("settings", "settings must be a JSON object")
	}
	names := t.SecretNames()
	if len(names) == 0 {
		return in, in, nil
	}
	kept, broken := ms.keptSecrets(t)
	moved := monitorMovedTo(t, ms.old, target, fields)
	if moved == "" {
		moved = newAgentLocation(ms.old, ms.locations)
	}
	var errs fieldErrors
	plain := map[string]string{}
	keptSealed := map[string]string{}
	for _, name := range names {
		raw, present := fields[name]
		delete(fields, name)
		if !present || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			_, stored := kept[name]
			_, undecryptable := broken[name]
			switch {
			case (stored || undecryptable) && moved != "":
				errs.add(badRequest("settings."+name, "%s, so the stored %s is not sent there: "+
					"enter it again, or remove it", movedReason(t, moved), name))
			case undecryptable:
				keptSealed[name] = broken[name]
			case stored:
				plain[name] = kept[name]
			}
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			errs.add(badRequest("settings."+name, "settings.%s must be a string", name))
			continue
		}
		if len(v) > seal.MaxPlain {
			errs.add(badRequest("settings."+name, "settings.%s has at most %d bytes", name, seal.MaxPlain))
			continue
		}
		if v != "" {
			plain[name] = v
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	openFields := cloneFields(fields)
	for name, v := range keptSealed {
		openFields[name] = jsonString(undecryptableStandIn)
		fields[name] = jsonString(v)
	}
	for name, v := range plain {
		openFields[name] = jsonString(v)
		sv, err := ms.seal(name, v)
		if err != nil {
			return nil, nil, err
		}
		fields[name] = jsonString(sv)
	}
	if opened, err = json.Marshal(openFields); err != nil {
		return nil, nil, err
	}
	sealed, err = json.Marshal(fields)
	return opened, sealed, err
}

func (ms monitorSecrets) seal(name, plain string) (string, error) {
	if ms.box == nil {
		return plain, nil
	}
	return ms.box.Seal(plain, sealMonitorSetting(name))
}

// keptSecrets opens the secrets old holds, when old has type t (a new
// type drops the old one's secrets); broken holds, sealed as stored,
// those that do not open.
func (ms monitorSecrets) keptSecrets(t checks.Type) (kept, broken map[string]string) {
	kept, broken = map[string]string{}, map[string]string{}
	if ms.old == nil || ms.old.Type != t.Name {
		return kept, broken
	}
	fields, err := settingsObject(ms.old.Settings)
	if err != nil {
		return kept, broken
	}
	for _, name := range t.SecretNames() {
		var stored string
		if json.Unmarshal(fields[name], &stored) != nil || stored == "" {
			continue
		}
		v, err := openSetting(ms.box, name, stored)
		if err != nil {
			broken[name] = stored
			continue
		}
		kept[name] = v
	}
	return kept, broken
}

// openSetting opens one stored secret. A value that is not sealed was
// stored without a box (validation alone) and is its own plain text.
func openSetting(box *seal.Box, name, stored string) (string, error) {
	if box == nil || !seal.IsSealed(stored) {
		return stored, nil
	}
	return box.Open(stored, sealMonitorSetting(name))
}

// openMonitorSettings returns m's settings with its secrets opened, for
// its checker; errUndecryptable when one does not open. Settings of a type
// without secrets (or one this build does not know) are returned as
// stored, without a copy.
func openMonitorSettings(box *seal.Box, m store.Monitor) (json.RawMessage, error) {
	t, ok := checks.Lookup(m.Type)
	if !ok || len(t.SecretNames()) == 0 {
		return m.Settings, nil
	}
	fields, err := settingsObject(m.Settings)
	if err != nil {
		return m.Settings, nil // the checker refuses it, with a better message
	}
	for _, name := range t.SecretNames() {
		var stored string
		if json.Unmarshal(fields[name], &stored) != nil || stored == "" {
			continue
		}
		v, err := openSetting(box, name, stored)
		if err != nil {
			return nil, errUndecryptable
		}
		fields[name] = jsonString(v)
	}
	return json.Marshal(fields)
}

// publicMonitorSettings is m's settings without its secrets, and the names
// of the secrets that hold a value: what the API and the form show. The
// settings of a type this build does not know are shown without any
// string that is sealed.
func publicMonitorSettings(m store.Monitor) (json.RawMessage, []string) {
	set := []string{}
	fields, err := settingsObject(m.Settings)
	if err != nil {
		return m.Settings, set
	}
	t, known := checks.Lookup(m.Type)
	secret := map[string]bool{}
	for _, name := range t.SecretNames() {
		secret[name] = true
	}
	for name, raw := range fields {
		var v string
		isString := json.Unmarshal(raw, &v) == nil
		if !secret[name] && (known || !isString || !seal.IsSealed(v)) {
			continue
		}
		delete(fields, name)
		if isString && v != "" {
			set = append(set, name)
		}
	}
	if len(set) == 0 && len(secret) == 0 && known {
		return m.Settings, set
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return json.RawMessage("{}"), set
	}
	slices.Sort(set)
	return out, set
}

// withoutSealedSecrets is what an update starts from when it does not
// send settings: the stored ones without the sealed secrets, which are
// then kept (a secret sent back sealed would be sealed again as if it
// were the plain text).
func withoutSealedSecrets(m store.Monitor) json.RawMessage {
	t, ok := checks.Lookup(m.Type)
	if !ok || len(t.SecretNames()) == 0 {
		return bytes.Clone(m.Settings)
	}
	fields, err := settingsObject(m.Settings)
	if err != nil {
		return bytes.Clone(m.Settings)
	}
	for _, name := range t.SecretNames() {
		var v string
		if json.Unmarshal(fields[name], &v) == nil && seal.IsSealed(v) {
			delete(fields, name)
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return bytes.Clone(m.Settings)
	}
	return out
}
