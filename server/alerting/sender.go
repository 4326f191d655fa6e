package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// SecretPurpose is the purpose a contact's secret setting is sealed under
// (seal.Box.Seal(value, SecretPurpose("auth_token"))): bound to the field,
// so a sealed token pasted into another field does not open.
func SecretPurpose(field string) string { return "contact." + field }

// NewSender returns the Sender the server uses: it opens the contact's
// sealed settings with box and sends through the contact's notify type.
// The notifier is built per send, so an edited contact takes effect on
// the next attempt, retries included.
func NewSender(box *seal.Box, env notify.Env) Sender {
	return func(ctx context.Context, c store.Contact, ev notify.Event) error {
		settings, err := OpenSettings(box, c)
		if err != nil {
			return &notify.PermanentError{Err: err}
		}
		n, err := notify.New(c.Type, settings, env)
		if err != nil {
			// The contact's settings are wrong; retrying the same
			// settings cannot help. Editing the contact fixes the next one.
			return &notify.PermanentError{Err: fmt.Errorf("contact settings: %w", err)}
		}
		return n.Send(ctx, ev)
	}
}

// OpenSettings returns c's settings with its type's secret fields opened.
// A secret field that is not sealed is passed on as it is (written before
// sealing existed, or by hand); one that does not open is an error naming
// the field, never its value.
func OpenSettings(box *seal.Box, c store.Contact) (json.RawMessage, error) {
	t, ok := notify.Lookup(c.Type)
	if !ok {
		return nil, fmt.Errorf("unknown contact type %q", c.Type)
	}
	secrets := t.SecretNames()
	if len(secrets) == 0 || len(c.Settings) == 0 {
		return c.Settings, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(c.Settings, &fields); err != nil {
		return nil, fmt.Errorf("contact settings are not a JSON object: %w", err)
	}
	for _, name := range secrets {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || !seal.IsSealed(v) {
			continue
		}
		if box == nil {
			return nil, fmt.Errorf("settings.%s is sealed but the server has no key to open it", name)
		}
		plain, err := box.Open(v, SecretPurpose(name))
		if err != nil {
			return nil, fmt.Errorf("settings.%s: %w", name, err)
		}
		if fields[name], err = json.Marshal(plain); err != nil {
			return nil, err
		}
	}
	return json.Marshal(fields)
}

// SMTPPurpose is the purpose the SMTP password is sealed under.
const SMTPPurpose = "smtp.password"

// SMTPFromStore returns notify.Env's SMTP function: the stored settings
// with the password opened, read on every email so a change takes effect
// at once. Settings never saved are an error that says where to set them;
// it is retried, since setting SMTP up then delivers what was waiting.
func SMTPFromStore(get func() (store.SMTPSettings, error), box *seal.Box) func() (notify.SMTPConfig, error) {
	return func() (notify.SMTPConfig, error) {
		s, err := get()
		if errors.Is(err, store.ErrNotFound) {
			return notify.SMTPConfig{}, errors.New("SMTP is not set up: set it under Settings → SMTP")
		}
		if err != nil {
			return notify.SMTPConfig{}, fmt.Errorf("read SMTP settings: %w", err)
		}
		password := s.Password
		if seal.IsSealed(password) {
			if box == nil {
				return notify.SMTPConfig{}, errors.New("the SMTP password is sealed but the server has no key to open it")
			}
			if password, err = box.Open(password, SMTPPurpose); err != nil {
				return notify.SMTPConfig{}, fmt.Errorf("SMTP password: %w", err)
			}
		}
		return notify.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: password, From: s.From, TLS: s.TLS}, nil
	}
}
