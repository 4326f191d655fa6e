package server

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
)

// serverLocation is the location name of checks the server runs itself.
const serverLocation = "server"

// Monitor limits and defaults.
const (
	defaultInterval = 60 * time.Second
	defaultTimeout  = 10 * time.Second
	minInterval     = time.Second
	maxInterval     = 24 * time.Hour
	maxTimeout      = 5 * time.Minute
	defaultConfirm  = 2
	maxConfirm      = 100
	maxNameLen      = 200
	maxTargetLen    = 2048
	maxDependencies = 32
	maxTags         = 32
	minRemindEvery  = time.Minute
	maxRemindEvery  = 7 * 24 * time.Hour
)

// monitorInput is a monitor as the API and the forms receive it. Durations
// are strings so that a bad one is reported with its field name.
type monitorInput struct {
	Name               string          `json:"name"`
	Type               string          `json:"type"`
	Target             string          `json:"target"`
	Interval           string          `json:"interval"`
	Timeout            string          `json:"timeout"`
	Locations          []string        `json:"locations"`
	Settings           json.RawMessage `json:"settings"`
	DependsOn          []string        `json:"depends_on"`
	Notify             []string        `json:"notify"`
	Escalation         string          `json:"escalation"`
	RemindEvery        string          `json:"remind_every"`
	Tags               []string        `json:"tags"`
	Confirm            *int            `json:"confirm"`
	MinFailedLocations *int            `json:"min_failed_locations"`
	Paused             bool            `json:"paused"`

	// Read-only fields a client may send back unchanged from a GET.
	ID            *json.RawMessage `json:"id,omitempty"`
	Status        *json.RawMessage `json:"status,omitempty"`
	StatusMessage *json.RawMessage `json:"status_message,omitempty"`
	SecretsSet    *json.RawMessage `json:"secrets_set,omitempty"`
	LastResult    *json.RawMessage `json:"last_result,omitempty"`
	CreatedAt     *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt     *json.RawMessage `json:"updated_at,omitempty"`
}

// inputFromMonitor is the starting point of an update: fields the request
// leaves out keep their values. The settings come without their sealed
// secrets, which an update then keeps unless it sends them.
func inputFromMonitor(m store.Monitor) monitorInput {
	return monitorInput{
		Name: m.Name, Type: m.Type, Target: m.Target,
		Interval: formatDuration(m.Interval), Timeout: formatDuration(m.Timeout),
		// Copies, not the monitor's own slices: m is the cached monitor,
		// and decoding a request into the input reuses a slice's backing
		// array, which would change the cache before validation (and
		// after a refused update).
		Locations: slices.Clone(m.Locations), Settings: withoutSealedSecrets(m), DependsOn: slices.Clone(m.DependsOn),
		Notify: slices.Clone(m.Notify), Escalation: m.Escalation, RemindEvery: formatDuration(m.RemindEvery),
		Tags: slices.Clone(m.Tags), Confirm: &m.Confirm,
		MinFailedLocations: &m.MinFailedLocations, Paused: m.Paused,
	}
}

// monitorLookup is what validation needs to know about other monitors.
type monitorLookup func(id string) (store.Monitor, bool)

// toMonitor validates in and fills m (keeping m's ID and times). self is
// m's id ("" when creating). The error holds every problem found, each a
// 400 naming its field: the API answers the first, the form shows them all.
// agents, when given, resolves agent locations (else only "server" exists).
// Without contacts to resolve notify against, see toMonitorNotifying.
// It validates only: secret settings are kept as sent, not sealed.
func (in monitorInput) toMonitor(m *store.Monitor, self string, lookup monitorLookup, agents ...agentLookup) error {
	var agentsLookup agentLookup
	if len(agents) > 0 {
		agentsLookup = agents[0]
	}
	return in.toMonitorNotifying(m, self, lookup, agentsLookup, nil, nil)
}

// toMonitorNotifying is toMonitor that also resolves notify (contacts and
// groups by id or name) and escalation (a policy by id or name) against
// dir, a nil dir knowing none, and seals the type's secret settings with
// box (see monitorSecrets.monitorSettings): on an update (self set) m's
// stored secrets are kept unless replaced.
func (in monitorInput) toMonitorNotifying(m *store.Monitor, self string, lookup monitorLookup, agentsLookup agentLookup, dir *directory, box *seal.Box) error {
	var errs fieldErrors
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		errs.add(badRequest("name", "name is required"))
	case len(name) > maxNameLen:
		errs.add(badRequest("name", "name has at most %d characters", maxNameLen))
	}
	target := strings.TrimSpace(in.Target)
	if len(target) > maxTargetLen {
		errs.add(badRequest("target", "target has at most %d characters", maxTargetLen))
	}
	t, known := checks.Lookup(in.Type)
	if !known {
		errs.add(badRequest("type", "unknown check type %q; GET /api/v1/check-types lists them", in.Type))
	}
	interval, intervalErr := parseDuration("interval", in.Interval, defaultInterval, minInterval, maxInterval)
	errs.add(intervalErr)
	timeout, err := parseDuration("timeout", in.Timeout, min(defaultTimeout, interval), 100*time.Millisecond, maxTimeout)
	errs.add(err)
	if err == nil && intervalErr == nil && timeout > interval {
		errs.add(badRequest("timeout", "timeout (%s) must not be longer than the interval (%s)", formatDuration(timeout), formatDuration(interval)))
	}
	locations, err := validLocations(in.Locations, t, agentsLookup)
	errs.add(err)
	settings := in.Settings
	if len(settings) == 0 || string(settings) == "null" {
		settings = json.RawMessage("{}")
	}
	if known && len(errs.about("target")) == 0 {
		secrets := monitorSecrets{box: box, locations: locations}
		if self != "" {
			old := *m
			secrets.old = &old
		}
		opened, sealed, err := secrets.monitorSettings(t, target, settings)
		var fe fieldErrors
		switch {
		case errors.As(err, &fe):
			errs = append(errs, fe...)
		case err != nil:
			var ae *apiError
			if !errors.As(err, &ae) {
				return err // sealing failed: not the input's fault
			}
			errs.add(err)
		default:
			settings = sealed
			// The checker sees the plain text, never stored.
			if _, err := checks.New(in.Type, target, opened); err != nil {
				errs.add(settingError(err))
			}
		}
	}
	deps, err := validDependencies(in.DependsOn, self, lookup)
	errs.add(err)
	notify, escalation, remind, err := in.notifyFields(dir)
	if fe, ok := err.(fieldErrors); ok {
		errs = append(errs, fe...)
	}
	confirm := defaultConfirm
	if known && t.DefaultConfirm > 0 {
		confirm = t.DefaultConfirm
	}
	if in.Confirm != nil {
		confirm = *in.Confirm
	}
	if confirm < 1 || confirm > maxConfirm {
		errs.add(badRequest("confirm", "confirm must be between 1 and %d failed checks", maxConfirm))
	}
	minFailed := 1
	if in.MinFailedLocations != nil {
		minFailed = *in.MinFailedLocations
	}
	if minFailed < 1 || minFailed > max(len(locations), 1) {
		errs.add(badRequest("min_failed_locations", "min_failed_locations must be between 1 and the number of locations (%d)", len(locations)))
	}
	tags, err := validTags(in.Tags)
	errs.add(err)
	if len(errs) > 0 {
		return errs
	}
	m.Name, m.Type, m.Target = name, in.Type, target
	m.Interval, m.Timeout = interval, timeout
	m.Locations, m.Settings, m.DependsOn = locations, compactJSON(settings), deps
	m.Notify, m.Tags, m.Confirm, m.MinFailedLocations, m.Paused = notify, tags, confirm, minFailed, in.Paused
	m.Escalation, m.RemindEvery = escalation, remind
	return nil
}

// notifyFields validates who hears of the monitor's incidents: notify
// and escalation resolved to ids, and the reminder interval (0 or at
// least a minute). Its errors are a fieldErrors.
func (in monitorInput) notifyFields(dir *directory) (notify []string, escalation string, remind time.Duration, err error) {
	var errs fieldErrors
	if dir == nil {
		dir = &directory{}
	}
	notify, err = dir.targets("notify", in.Notify)
	errs.add(err)
	escalation, err = dir.escalation("escalation", in.Escalation)
	errs.add(err)
	if r := strings.TrimSpace(in.RemindEvery); r != "" && r != "0" {
		remind, err = parseDuration("remind_every", r, 0, 0, maxRemindEvery)
		if err != nil || (remind != 0 && remind < minRemindEvery) {
			errs.add(badRequest("remind_every", "remind_every must be 0 (no reminders) or a duration from %s to %s, like \"30m\"",
				formatDuration(minRemindEvery), formatDuration(maxRemindEvery)))
		}
	}
	if len(errs) > 0 {
		return nil, "", 0, errs
	}
	return notify, escalation, remind, nil
}

// fieldErrors is every problem of one input. errors.As finds the first
// *apiError through Unwrap, so the API answers it like a single error.
type fieldErrors []error

func (fe *fieldErrors) add(err error) {
	if err != nil {
		*fe = append(*fe, err)
	}
}

// about returns the errors naming field.
func (fe fieldErrors) about(field string) []error {
	var out []error
	for _, err := range fe {
		var ae *apiError
		if errors.As(err, &ae) && ae.Field == field {
			out = append(out, err)
		}
	}
	return out
}

func (fe fieldErrors) Error() string   { return fe[0].Error() }
func (fe fieldErrors) Unwrap() []error { return fe }

func parseDuration(field, s string, def, lo, hi time.Duration) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, badRequest(field, "%s must be a duration like \"30s\", \"5m\" or \"1h\", not %q", field, s)
	}
	if d < lo || d > hi {
		return 0, badRequest(field, "%s must be between %s and %s", field, formatDuration(lo), formatDuration(hi))
	}
	return d, nil
}

// validLocations checks where a monitor runs: "server" and agents, named
// by id or name and stored by id. Host checks run only on agents; a
// revoked or unknown agent is refused. Without agents (nil) only "server"
// exists.
func validLocations(in []string, t checks.Type, agents agentLookup) ([]string, error) {
	host := t.Scope == checks.ScopeHost
	if len(in) == 0 && host {
		return nil, badRequest("locations", "%s checks inspect a host and run only on agents: name at least one agent in locations", t.Name)
	}
	if len(in) == 0 {
		in = []string{serverLocation}
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range in {
		l = strings.TrimSpace(l)
		id := l
		switch {
		case l == serverLocation && host:
			return nil, badRequest("locations", "%s checks inspect a host and run only on agents, not on the server", t.Name)
		case l == serverLocation:
		case agents == nil:
			return nil, badRequest("locations", "unknown location %q: only \"server\" exists until agents join", l)
		default:
			a, ok := agents(l)
			if !ok {
				return nil, badRequest("locations", "unknown location %q: not \"server\" nor the id or name of an agent", l)
			}
			if a.RevokedAt != nil {
				return nil, badRequest("locations", "agent %q is revoked: it runs no checks", a.Name)
			}
			id = a.ID
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func validDependencies(in []string, self string, lookup monitorLookup) ([]string, error) {
	if len(in) > maxDependencies {
		return nil, badRequest("depends_on", "a monitor depends on at most %d others", maxDependencies)
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range in {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if id == self {
			return nil, badRequest("depends_on", "a monitor cannot depend on itself")
		}
		if _, ok := lookup(id); !ok {
			return nil, badRequest("depends_on", "unknown monitor %q", id)
		}
		if self != "" && dependsOn(id, self, lookup) {
			return nil, badRequest("depends_on", "monitor %q depends on this one already: dependencies may not form a loop", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// dependsOn reports whether monitor id (transitively) depends on target:
// a breadth-first walk that visits each monitor once.
func dependsOn(id, target string, lookup monitorLookup) bool {
	seen := map[string]bool{id: true}
	queue := []string{id}
	for len(queue) > 0 {
		m, ok := lookup(queue[0])
		queue = queue[1:]
		if !ok {
			continue
		}
		for _, p := range m.DependsOn {
			if p == target {
				return true
			}
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return false
}

func validTags(in []string) ([]string, error) {
	if len(in) > maxTags {
		return nil, badRequest("tags", "a monitor has at most %d tags", maxTags)
	}
	var out []string
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if len(t) > 64 || strings.ContainsAny(t, ",\n") {
			return nil, badRequest("tags", "tag %q: at most 64 characters, no commas", t)
		}
		out = append(out, t)
	}
	return out, nil
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	var b strings.Builder
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return raw
	}
	return json.RawMessage(strings.TrimSpace(b.String()))
}
