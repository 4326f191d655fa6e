package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// monitorOutput is a monitor as the API shows it.
type monitorOutput struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Type               string          `json:"type"`
	Target             string          `json:"target"`
	Interval           string          `json:"interval"`
	Timeout            string          `json:"timeout"`
	Locations          []string        `json:"locations"`
	Settings           json.RawMessage `json:"settings"`    // without the secret settings, which are write-only
	SecretsSet         []string        `json:"secrets_set"` // the secret settings that hold a value
	DependsOn          []string        `json:"depends_on"`
	Notify             []string        `json:"notify"`
	Escalation         string          `json:"escalation"`
	RemindEvery        string          `json:"remind_every"`
	Tags               []string        `json:"tags"`
	Confirm            int             `json:"confirm"`
	MinFailedLocations int             `json:"min_failed_locations"`
	Paused             bool            `json:"paused"`
	Status             checks.Status   `json:"status"`
	// StatusMessage explains the status: the worst location's last
	// message, or "unreachable: parent X is down", or "in maintenance: W".
	StatusMessage string         `json:"status_message"`
	LastResult    *checks.Result `json:"last_result"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

func (s *Server) monitorOutput(m store.Monitor) monitorOutput {
	status, last := s.monitorStatus(m)
	if last != nil {
		last.At = last.At.UTC()
	}
	settings, secretsSet := publicMonitorSettings(m)
	return monitorOutput{
		ID: m.ID, Name: m.Name, Type: m.Type, Target: m.Target,
		Interval: formatDuration(m.Interval), Timeout: formatDuration(m.Timeout),
		Locations: nonNil(m.Locations), Settings: settings, SecretsSet: secretsSet, DependsOn: nonNil(m.DependsOn),
		Notify: nonNil(m.Notify), Escalation: m.Escalation, RemindEvery: formatDuration(m.RemindEvery),
		Tags: nonNil(m.Tags), Confirm: m.Confirm,
		MinFailedLocations: m.MinFailedLocations, Paused: m.Paused,
		Status: status, StatusMessage: s.statusMessage(m.ID, last), LastResult: last,
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
	}
}

// statusMessage is what the engine says of the monitor's status, else the
// last result's message.
func (s *Server) statusMessage(id string, last *checks.Result) string {
	if st, ok := s.engine.State(id); ok && st.Message != "" {
		return st.Message
	}
	if last != nil {
		return last.Message
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) handleAPIMonitorList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	all := s.monitors.all()
	out := make([]monitorOutput, 0, len(all))
	for _, m := range all {
		out = append(out, s.monitorOutput(m))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIMonitorGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.monitorOutput(m))
	return nil
}

func (s *Server) handleAPIMonitorCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in monitorInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.createMonitor(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.monitorOutput(m))
	return nil
}

func (s *Server) handleAPIMonitorUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromMonitor(m)
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err = s.updateMonitor(m.ID, in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.monitorOutput(m))
	return nil
}

func (s *Server) handleAPIMonitorDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.deleteMonitor(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) findMonitor(id string) (store.Monitor, error) {
	m, ok := s.monitors.get(id)
	if !ok {
		return m, errStatus(http.StatusNotFound, "no monitor has the id "+quote(id))
	}
	return m, nil
}

// createMonitor validates, stores (audited), and starts a monitor.
func (s *Server) createMonitor(in monitorInput, by store.Actor) (store.Monitor, error) {
	s.monitorMu.Lock()
	defer s.monitorMu.Unlock()
	var m store.Monitor
	if serverResults(in.Type) && by != systemActor {
		return m, badRequest("type", "%s monitors are made by the server, one for each agent a file-integrity policy applies to", in.Type)
	}
	dir, err := s.loadDirectory()
	if err != nil {
		return m, err
	}
	if err := in.toMonitorNotifying(&m, "", s.monitors.get, s.lookupAgent, dir, s.seal); err != nil {
		return m, err
	}
	if err := s.db.CreateMonitor(&m, by); err != nil {
		return m, err
	}
	s.monitorChanged(m)
	return m, nil
}

func (s *Server) updateMonitor(id string, in monitorInput, by store.Actor) (store.Monitor, error) {
	s.monitorMu.Lock()
	defer s.monitorMu.Unlock()
	m, err := s.findMonitor(id)
	if err != nil {
		return m, err
	}
	in = timeoutFollowsInterval(in, m)
	if err := keepsServerResults(m, in); err != nil {
		return m, err
	}
	dir, err := s.loadDirectory()
	if err != nil {
		return m, err
	}
	if err := in.toMonitorNotifying(&m, id, s.monitors.get, s.lookupAgent, dir, s.seal); err != nil {
		return m, err
	}
	if err := s.db.UpdateMonitor(&m, by); errors.Is(err, store.ErrNotFound) {
		return m, errStatus(http.StatusNotFound, "no monitor has the id "+quote(id))
	} else if err != nil {
		return m, err
	}
	s.monitorChanged(m)
	return m, nil
}

// keepsServerResults refuses an update that would make a monitor of a
// type whose results the server makes (fim), or change what such a monitor
// watches: the server finds it by type and location, so only its name,
// notification and alerting settings are a person's to edit.
func keepsServerResults(old store.Monitor, in monitorInput) error {
	switch {
	case serverResults(in.Type) && in.Type != old.Type:
		return badRequest("type", "%s monitors are made by the server, one for each agent a file-integrity policy applies to", in.Type)
	case !serverResults(old.Type):
		return nil
	case in.Type != old.Type:
		return badRequest("type", "the type of a %s monitor cannot change", old.Type)
	case strings.TrimSpace(in.Target) != old.Target:
		return badRequest("target", "the target of a %s monitor cannot change", old.Type)
	case !slices.Equal(in.Locations, old.Locations):
		return badRequest("locations", "the locations of a %s monitor cannot change", old.Type)
	}
	return nil
}

func (s *Server) deleteMonitor(id string, by store.Actor) error {
	s.monitorMu.Lock()
	defer s.monitorMu.Unlock()
	if _, err := s.findMonitor(id); err != nil {
		return err
	}
	for _, other := range s.monitors.all() {
		for _, p := range other.DependsOn {
			if p == id {
				return errStatus(http.StatusConflict, "monitor "+quote(other.Name)+" depends on this one: remove that dependency first")
			}
		}
	}
	if err := s.db.DeleteMonitor(id, by); errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "no monitor has the id "+quote(id))
	} else if err != nil {
		return err
	}
	s.monitors.remove(id)
	s.sched.Remove(id)
	s.sched.Remove(undecryptableJob + id)
	s.engine.RemoveMonitor(id)
	s.live.Remove(id)
	s.agentsChanged()
	return nil
}

// monitorChanged brings the in-memory parts in line with a stored monitor.
func (s *Server) monitorChanged(m store.Monitor) {
	s.monitors.put(m)
	s.engine.UpsertMonitor(m)
	s.live.Upsert(m)
	s.schedule(m, true)
	s.agentsChanged()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// timeoutFollowsInterval drops a timeout the request left as it was when
// the new interval is shorter: the timeout then takes its default for the
// new interval instead of making the change fail. A timeout the request
// sets is kept, and validated as sent.
func timeoutFollowsInterval(in monitorInput, m store.Monitor) monitorInput {
	interval, err := time.ParseDuration(strings.TrimSpace(in.Interval))
	timeout, err2 := time.ParseDuration(strings.TrimSpace(in.Timeout))
	if err == nil && err2 == nil && timeout == m.Timeout && timeout > interval {
		in.Timeout = ""
	}
	return in
}
