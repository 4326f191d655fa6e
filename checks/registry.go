package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Checker runs one configured check against a target. Check must honour
// ctx's deadline and must not panic; a failure is reported in the Result.
// The caller fills Result.At and Result.Location.
type Checker interface {
	Check(ctx context.Context, target string) Result
}

// Factory validates a type's settings and returns a ready Checker. Invalid
// or unknown settings return a *SettingError naming the field.
type Factory func(settings json.RawMessage) (Checker, error)

// Env is what the process that runs checks offers host checks beyond
// their settings. The server runs checks with the zero Env; an agent fills
// it from its own local configuration, which the server cannot change.
type Env struct {
	// Command resolves the name of a shell command to the command line the
	// host's own configuration allows under that name; ok is false when it
	// allows none. Nil allows nothing. It is called on every run, so a
	// change to the local allow-list takes effect without a restart.
	Command func(name string) (line string, ok bool)
	// ReadableLog says whether the host's own configuration lets a log
	// file or directory be read: it is given the real path (absolute, all
	// symbolic links resolved) and returns nil, or an error that completes
	// the sentence "<path> …" ("is outside the log directories this agent
	// allows (--log-dirs: /var/log)"). Nil allows nothing: the server
	// reads no log files.
	ReadableLog func(realPath string) error
}

// Scope says where a check type may run.
type Scope string

const (
	// ScopeExternal types probe a target over the network; they run on the
	// server and on agents used as probe locations.
	ScopeExternal Scope = "external"
	// ScopeHost types inspect the host they run on; they run only on agents.
	ScopeHost Scope = "host"
)

// Setting describes one setting of a check type, for forms and docs.
type Setting struct {
	Name    string   // JSON key in the monitor's settings
	Kind    string   // "string", "int", "float", "bool", "duration", "list", "map", "enum", "text", "json"
	Default string   // the default as shown to people; "" for none
	Options []string // allowed values for Kind "enum"
	// OptionTitles, when set, names each of Options for people, in the
	// same order (a stock pattern's title rather than its key).
	OptionTitles []string
	Help         string // one sentence for the form and the doc page
	// Secret marks a "string" setting the server seals at rest, never
	// returns through the API or the UI, and hands in plain text only to
	// the checker (on the server, or to an agent over mutual TLS): a
	// database DSN, a mail or SNMPv3 password.
	Secret bool
	// Guard marks a setting whose change makes the server ask for the
	// type's secrets again: it decides how or what a secret is used for
	// (the TLS mode, the certificates trusted, the query run with the
	// password). Otherwise an editor who does not know a stored password
	// could have it sent in clear, to an impostor, or used for something
	// else.
	Guard bool
}

// Type is a registered check type.
type Type struct {
	Name     string
	Title    string // human name, e.g. "HTTP(S)"
	Scope    Scope
	Settings []Setting
	// TargetHelp says what the target is, e.g. "URL, https://example.com/health".
	TargetHelp string
	// ValidateTarget returns an error a person understands for a bad target.
	ValidateTarget func(target string) error
	New            Factory
	// DefaultConfirm, when set, is a monitor's confirm when it is created
	// without one, instead of the server's 2: for a type whose problems are
	// events seen once (a log line), not states that persist.
	DefaultConfirm int
	// ValueUnits gives the unit of result values whose keys do not end in
	// one (_ms, _percent, _bytes, …): "%" for mysql's slow_queries. Keys
	// absent here take their unit from their suffix.
	ValueUnits map[string]string
	// NewWithEnv, when set, is used instead of New where an Env is given
	// (see NewWithEnv); New must still validate the same settings.
	NewWithEnv func(settings json.RawMessage, env Env) (Checker, error)
	// ServerResults marks a type whose results the server makes itself
	// from what it already holds (fim: the open file-integrity changes of
	// an agent): its monitors are never scheduled nor sent to agents, and
	// its Checker only says so.
	ServerResults bool
}

// SecretNames returns the names of t's secret settings.
func (t Type) SecretNames() []string {
	var out []string
	for _, s := range t.Settings {
		if s.Secret {
			out = append(out, s.Name)
		}
	}
	return out
}

var (
	mu    sync.RWMutex
	types = map[string]Type{}
)

// Register adds a check type. It is called from init functions; a
// duplicate or incomplete registration is a programming error and panics.
func Register(t Type) {
	if t.Name == "" || t.New == nil || t.ValidateTarget == nil {
		panic("checks: incomplete registration of " + t.Name)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := types[t.Name]; dup {
		panic("checks: duplicate registration of " + t.Name)
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

// New validates target and settings for the type called kind and returns a
// ready Checker. Errors are *SettingError values naming the bad field
// ("type", "target" or "settings.<name>").
func New(kind, target string, settings json.RawMessage) (Checker, error) {
	return NewWithEnv(kind, target, settings, Env{})
}

// NewWithEnv is New for a process that offers host checks env.
func NewWithEnv(kind, target string, settings json.RawMessage, env Env) (Checker, error) {
	t, ok := Lookup(kind)
	if !ok {
		return nil, &SettingError{Field: "type", Msg: fmt.Sprintf("unknown check type %q", kind)}
	}
	if err := t.ValidateTarget(target); err != nil {
		return nil, &SettingError{Field: "target", Msg: err.Error()}
	}
	if len(settings) == 0 || string(settings) == "null" {
		settings = json.RawMessage("{}")
	}
	if t.NewWithEnv != nil {
		return t.NewWithEnv(settings, env)
	}
	return t.New(settings)
}

// SettingError is a validation error that names the field at fault.
type SettingError struct {
	Field string // e.g. "settings.expect_status"
	Msg   string
}

func (e *SettingError) Error() string { return e.Field + ": " + e.Msg }
