package notify

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// Notifier sends one event to one configured contact. Send must honour
// ctx (the dispatcher gives each send a timeout), must not panic, and
// must never put a secret setting in its error.
type Notifier interface {
	Send(ctx context.Context, ev Event) error
}

// Setting describes one setting of a contact type, for forms and docs.
type Setting struct {
	Name     string   // JSON key in the contact's settings
	Kind     string   // "string", "list", "map", "enum", "text"
	Default  string   // the default as shown to people; "" for none
	Help     string   // one sentence for the form and the doc page
	Required bool     // the contact is refused without it
	Secret   bool     // a string the server seals at rest and never shows again
	Options  []string // allowed values for Kind "enum"
}

// Type is a registered contact type.
type Type struct {
	Name     string // e.g. "email"; the contact's "type"
	Title    string // human name, e.g. "Email"
	Settings []Setting
	// New validates settings (secret fields already opened) and returns a
	// ready Notifier. Errors are *SettingError values naming
	// "settings.<name>".
	New func(settings json.RawMessage, env Env) (Notifier, error)
}

// SecretNames returns the names of t's secret settings, so the server
// knows which fields to seal at rest and leave out of API answers.
func (t Type) SecretNames() []string {
	var out []string
	for _, s := range t.Settings {
		if s.Secret {
			out = append(out, s.Name)
		}
	}
	return out
}

// Env is what senders need from the server.
type Env struct {
	// SMTP returns the current SMTP settings with the password opened, or
	// an error when SMTP is not set up. It is called on every e-mail send,
	// so a change takes effect without rebuilding notifiers.
	SMTP func() (SMTPConfig, error)
	// HTTP sends webhooks and provider API calls; nil means a client with
	// a 10 s timeout.
	HTTP *http.Client
	// TwilioBaseURL is "https://api.twilio.com" unless a test points it
	// elsewhere; "" means that default.
	TwilioBaseURL string
	// Now is the clock for Date headers and signature timestamps; nil
	// means time.Now.
	Now func() time.Time
}

// SMTPConfig is the server's SMTP settings as a sender needs them.
type SMTPConfig struct {
	Host     string
	Port     int // 0: 25, 587 or 465 by TLS mode
	Username string
	Password string
	From     string
	TLS      string // "none", "starttls" or "tls"

	// rootCAs, when set, replaces the system roots for verifying the
	// server. Only tests set it, to trust a throwaway certificate.
	rootCAs *x509.CertPool
}

const defaultHTTPTimeout = 10 * time.Second

var fallbackClient = &http.Client{Timeout: defaultHTTPTimeout}

func (e Env) httpClient() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return fallbackClient
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// SettingError is a validation error naming the field at fault. It is the
// check registry's type, so the API reports a bad contact exactly as it
// reports a bad monitor.
type SettingError = checks.SettingError

// PermanentError wraps a send error that a retry cannot fix: the provider
// refused the request itself (a 4xx other than 408 or 429, an invalid
// number, a bad template). The dispatcher gives up instead of retrying.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

func permanent(err error) error { return &PermanentError{Err: err} }

var (
	mu    sync.RWMutex
	types = map[string]Type{}
)

// Register adds a contact type. It is called from init functions; a
// duplicate or incomplete registration is a programming error and panics.
func Register(t Type) {
	if t.Name == "" || t.Title == "" || t.New == nil {
		panic("notify: incomplete registration of " + t.Name)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := types[t.Name]; dup {
		panic("notify: duplicate registration of " + t.Name)
	}
	types[t.Name] = t
}

// Lookup returns the registered type called name.
func Lookup(name string) (Type, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := types[name]
	return t, ok
}

// Types returns every registered type, sorted by name.
func Types() []Type {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Type, 0, len(types))
	for _, t := range types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// New validates settings for the contact type called kind and returns a
// ready Notifier. Errors are *SettingError values naming "type" or
// "settings.<name>".
func New(kind string, settings json.RawMessage, env Env) (Notifier, error) {
	t, ok := Lookup(kind)
	if !ok {
		return nil, &SettingError{Field: "type", Msg: fmt.Sprintf("unknown contact type %q", kind)}
	}
	if len(settings) == 0 || string(settings) == "null" {
		settings = json.RawMessage("{}")
	}
	return t.New(settings, env)
}
