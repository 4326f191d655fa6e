package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

func (s *Server) handleMonitorNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	values := formValuesFrom(q)
	if values.Type == "" {
		values.Type = "http"
	}
	s.renderMonitorForm(w, r, rc, http.StatusOK, false, values, nil)
	return nil
}

func (s *Server) handleMonitorEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	values := formFromMonitor(m)
	values.Locations = s.locationNames(m.Locations)
	if t := r.URL.Query().Get("type"); t != "" {
		// "Change type" without JavaScript comes back here as a GET.
		values = formValuesFrom(r.URL.Query())
		values.ID = m.ID
	}
	s.renderMonitorForm(w, r, rc, http.StatusOK, true, values, nil)
	return nil
}

// handleMonitorFormRefresh re-renders the form from posted values for
// another type ("Change type"): nothing is saved.
func (s *Server) handleMonitorFormRefresh(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := formValuesFrom(r.PostForm)
	editing := r.PathValue("id") != ""
	if editing {
		m, err := s.findMonitor(r.PathValue("id"))
		if err != nil {
			return err
		}
		values.ID = m.ID
	}
	s.renderMonitorForm(w, r, rc, http.StatusOK, editing, values, nil)
	return nil
}

func (s *Server) handleMonitorCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	values := formValuesFrom(r.PostForm)
	in, err := inputFromForm(values, monitorInput{})
	var m store.Monitor
	if err == nil {
		m, err = s.createMonitor(in, rc.actor())
	}
	if err != nil {
		return s.formError(w, r, rc, false, values, err)
	}
	s.redirectWithFlash(w, r, "/monitors/"+m.ID, "Monitor created. Its first check runs within one interval.")
	return nil
}

func (s *Server) handleMonitorUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	m, err := s.findMonitor(id)
	if err != nil {
		return err
	}
	values := formValuesFrom(r.PostForm)
	values.ID = id
	// Fields the form does not show (tags, locations, …) keep their values.
	in, err := inputFromForm(values, inputFromMonitor(m))
	if err == nil {
		_, err = s.updateMonitor(id, in, rc.actor())
	}
	if err != nil {
		return s.formError(w, r, rc, true, values, err)
	}
	s.redirectWithFlash(w, r, "/monitors/"+id, "Monitor saved.")
	return nil
}

// formError shows the form again with each error beside its field;
// errors that are not about input go to the error page.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, rc *reqCtx, editing bool, values ui.MonitorForm, err error) error {
	list := []error{err}
	if fe, ok := err.(fieldErrors); ok {
		list = fe
	}
	shown := map[string]string{}
	for _, e := range list {
		var ae *apiError
		if !errors.As(e, &ae) || ae.Status != http.StatusBadRequest {
			return err
		}
		field, msg := ae.Field, ae.Msg
		// Beside its field a message need not name the field again.
		msg = strings.TrimPrefix(msg, field+": ")
		if field == "settings" {
			field = ""
		}
		if _, dup := shown[field]; !dup {
			shown[field] = capitalize(msg)
		}
	}
	s.renderMonitorForm(w, r, rc, http.StatusBadRequest, editing, values, shown)
	return nil
}

func (s *Server) renderMonitorForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, editing bool, values ui.MonitorForm, errs map[string]string) {
	title := "New monitor"
	if editing {
		title = "Edit monitor"
	}
	p := ui.MonitorFormProps{Page: s.pageFor(w, r, rc, title, "dashboard"), Editing: editing, Values: values, Errors: errs, Types: formTypes()}
	if dir, err := s.loadDirectory(); err != nil {
		s.log.Error("read contacts for the monitor form", "err", err)
	} else {
		p.NotifyOptions, p.PolicyOptions = dir.targetOptions(), dir.policyOptions()
	}
	s.render(w, r, status, ui.MonitorFormPage(p))
}

func formTypes() []ui.CheckType {
	var out []ui.CheckType
	for _, t := range checks.Types() {
		ct := ui.CheckType{Name: t.Name, Title: t.Title, TargetHelp: t.TargetHelp}
		for _, st := range t.Settings {
			ct.Settings = append(ct.Settings, ui.CheckSetting{Name: st.Name, Kind: st.Kind, Default: st.Default, Options: st.Options, OptionTitles: st.OptionTitles, Help: st.Help})
		}
		out = append(out, ct)
	}
	return out
}

// formValuesFrom reads the monitor form's fields as typed.
func formValuesFrom(v url.Values) ui.MonitorForm {
	f := ui.MonitorForm{
		Name: v.Get("name"), Type: v.Get("type"), Target: v.Get("target"),
		Interval: v.Get("interval"), Timeout: v.Get("timeout"), Confirm: v.Get("confirm"),
		DependsOn: v.Get("depends_on"), Locations: v.Get("locations"), Paused: v.Get("paused") == "on" || v.Get("paused") == "true",
		Settings: map[string]string{},
		Notify:   v["notify"], Escalation: v.Get("escalation"), RemindEvery: v.Get("remind_every"),
	}
	for key, vals := range v {
		if name, ok := strings.CutPrefix(key, "settings."); ok && len(vals) > 0 {
			// A checkbox sends a hidden "false" and, when ticked, "true": the last wins.
			f.Settings[name] = vals[len(vals)-1]
		}
	}
	return f
}

// inputFromForm turns form strings into the API's input, so the form and
// the API share one validation. The form's fields replace those of base.
func inputFromForm(f ui.MonitorForm, base monitorInput) (monitorInput, error) {
	in := base
	in.Name, in.Type, in.Target, in.Interval, in.Timeout, in.Paused = f.Name, f.Type, f.Target, f.Interval, f.Timeout, f.Paused
	in.Confirm, in.DependsOn = nil, nil
	in.Notify, in.Escalation, in.RemindEvery = f.Notify, f.Escalation, f.RemindEvery
	// An empty locations field means the default: the server itself.
	in.Locations = nil
	for _, loc := range strings.Split(f.Locations, ",") {
		if loc = strings.TrimSpace(loc); loc != "" {
			in.Locations = append(in.Locations, loc)
		}
	}
	if c := strings.TrimSpace(f.Confirm); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return in, badRequest("confirm", "confirm must be a whole number")
		}
		in.Confirm = &n
	}
	for _, id := range strings.Split(f.DependsOn, ",") {
		if id = strings.TrimSpace(id); id != "" {
			in.DependsOn = append(in.DependsOn, id)
		}
	}
	t, ok := checks.Lookup(f.Type)
	if !ok {
		return in, badRequest("type", "choose a check type")
	}
	settings := map[string]any{}
	for _, st := range t.Settings {
		raw, ok := f.Settings[st.Name]
		// An empty field, or one left at the default, is not stored: the
		// monitor then follows the type's default, as one made by the API.
		if !ok || strings.TrimSpace(raw) == "" || strings.TrimSpace(raw) == st.Default {
			continue
		}
		v, err := settingValue(st, raw)
		if err != nil {
			return in, badRequest("settings."+st.Name, "%s: %s", st.Name, err.Error())
		}
		if v != nil {
			settings[st.Name] = v
		}
	}
	b, err := json.Marshal(settings)
	if err != nil {
		return in, err
	}
	in.Settings = b
	return in, nil
}

// settingValue converts one form field to its JSON value by the setting's
// kind. A value equal to the default is still sent: it is what was typed.
func settingValue(st checks.Setting, raw string) (any, error) {
	raw = strings.TrimSpace(raw)
	switch st.Kind {
	case "int":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a whole number")
		}
		return n, nil
	case "float":
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a number")
		}
		return n, nil
	case "bool":
		switch raw {
		case "true", "on":
			return true, nil
		case "false", "off":
			if st.Default == "true" {
				return false, nil
			}
			return nil, nil
		}
		return nil, fmt.Errorf("must be true or false")
	case "list":
		var out []string
		for _, line := range strings.Split(raw, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		return out, nil
	case "map":
		out := map[string]string{}
		for _, line := range strings.Split(raw, "\n") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("write one \"Name: value\" per line")
			}
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		return out, nil
	}
	return raw, nil
}

// formFromMonitor fills the edit form from a stored monitor.
func formFromMonitor(m store.Monitor) ui.MonitorForm {
	f := ui.MonitorForm{
		ID: m.ID, Name: m.Name, Type: m.Type, Target: m.Target,
		Interval: formatDuration(m.Interval), Timeout: formatDuration(m.Timeout), Confirm: strconv.Itoa(m.Confirm),
		DependsOn: strings.Join(m.DependsOn, ", "), Paused: m.Paused, Settings: map[string]string{},
		Notify: m.Notify, Escalation: m.Escalation,
	}
	if m.RemindEvery > 0 {
		f.RemindEvery = formatDuration(m.RemindEvery)
	}
	var settings map[string]any
	_ = json.Unmarshal(m.Settings, &settings)
	for k, v := range settings {
		f.Settings[k] = formString(v)
	}
	return f
}

func formString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		lines := make([]string, 0, len(x))
		for _, e := range x {
			lines = append(lines, formString(e))
		}
		return strings.Join(lines, "\n")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines := make([]string, 0, len(keys))
		for _, k := range keys {
			lines = append(lines, k+": "+formString(x[k]))
		}
		return strings.Join(lines, "\n")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// locationNames shows a monitor's locations as people know them: agent
// names instead of the ids stored.
func (s *Server) locationNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if a, ok := s.lookupAgent(id); ok && id != serverLocation {
			id = a.Name
		}
		names = append(names, id)
	}
	return strings.Join(names, ", ")
}
