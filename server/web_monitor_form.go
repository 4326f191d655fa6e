package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// monitorFormView is the monitor form as shown: the values as typed, what
// MonitorFormMore adds, and the secrets a post that was not saved held.
type monitorFormView struct {
	values  ui.MonitorForm
	more    ui.MonitorFormMore
	secrets formSecrets
	// unsent names the fields of MonitorFormMore a post did not carry
	// (a script's, or a page from before they were added): they keep
	// their values.
	unsent map[string]bool
}

func (s *Server) handleMonitorNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	view := monitorFormView{values: formValuesFrom(q), more: formMoreFrom(q)}
	if view.values.Type == "" {
		view.values.Type = "http"
	}
	s.renderMonitorForm(w, r, rc, http.StatusOK, false, view, nil)
	return nil
}

func (s *Server) handleMonitorEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	view := monitorFormView{values: formFromMonitor(m), more: ui.MonitorFormMore{
		Tags: strings.Join(m.Tags, ", "), MinFailedLocations: strconv.Itoa(m.MinFailedLocations),
	}}
	view.values.Locations = s.locationNames(m.Locations)
	view.values.DependsOn = s.monitorNames(m.DependsOn)
	if t := r.URL.Query().Get("type"); t != "" {
		// "Change type" without JavaScript comes back here as a GET.
		view = monitorFormView{values: formValuesFrom(r.URL.Query()), more: formMoreFrom(r.URL.Query())}
		view.values.ID = m.ID
	}
	view.more.SecretsSet = storedSecrets(m, view.values.Type)
	s.renderMonitorForm(w, r, rc, http.StatusOK, true, view, nil)
	return nil
}

// postedForm reads a post of the monitor form as typed.
func (s *Server) postedForm(v url.Values, rc *reqCtx) monitorFormView {
	view := monitorFormView{values: formValuesFrom(v), more: formMoreFrom(v), unsent: map[string]bool{}}
	for _, name := range []string{"tags", "min_failed_locations"} {
		_, sent := v[name]
		view.unsent[name] = !sent
	}
	t, _ := checks.Lookup(view.values.Type)
	view.secrets = s.readFormSecrets(v, t, rc)
	return view
}

// handleMonitorFormRefresh re-renders the form from posted values for
// another type ("Change type"): nothing is saved.
func (s *Server) handleMonitorFormRefresh(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	view := s.postedForm(r.PostForm, rc)
	editing := r.PathValue("id") != ""
	if editing {
		m, err := s.findMonitor(r.PathValue("id"))
		if err != nil {
			return err
		}
		view.values.ID = m.ID
		view.more.SecretsSet = storedSecrets(m, view.values.Type)
	}
	s.renderMonitorForm(w, r, rc, http.StatusOK, editing, view, nil)
	return nil
}

func (s *Server) handleMonitorCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	view := s.postedForm(r.PostForm, rc)
	in, err := s.formInput(view, monitorInput{})
	var m store.Monitor
	if err == nil {
		m, err = s.createMonitor(in, rc.actor())
	}
	if err != nil {
		return s.formError(w, r, rc, false, view, err)
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
	view := s.postedForm(r.PostForm, rc)
	view.values.ID = id
	view.more.SecretsSet = storedSecrets(m, view.values.Type)
	if view.unsent["tags"] {
		view.more.Tags = strings.Join(m.Tags, ", ")
	}
	if view.unsent["min_failed_locations"] {
		view.more.MinFailedLocations = strconv.Itoa(m.MinFailedLocations)
	}
	// Fields the form does not show (notify's order, …) keep their values.
	in, err := s.formInput(view, inputFromMonitor(m))
	if err == nil {
		_, err = s.updateMonitor(id, in, rc.actor())
	}
	if err != nil {
		return s.formError(w, r, rc, true, view, err)
	}
	s.redirectWithFlash(w, r, "/monitors/"+id, "Monitor saved.")
	return nil
}

// formError shows the form again with each error beside its field;
// errors that are not about input go to the error page.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, rc *reqCtx, editing bool, view monitorFormView, err error) error {
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
		if inner, ok := strings.CutPrefix(field, "settings."); ok {
			field, msg = settingFieldError(inner, msg)
		}
		if field == "settings" {
			field = ""
		}
		if _, dup := shown[field]; !dup {
			shown[field] = capitalize(msg)
		}
	}
	s.renderMonitorForm(w, r, rc, http.StatusBadRequest, editing, view, shown)
	return nil
}

// settingFieldError places an error about a setting (inner is its key,
// "slow_queries_warning_percent", or a path inside a JSON setting,
// "oids[0].oid") beside the setting's control, and words it as the form
// does: by the
// setting's label rather than its key ("Slow queries warning (%): must be
// a number", "OIDs[0].oid: "abc" is not a numeric OID …"). The API's
// errors keep the keys.
func settingFieldError(inner, msg string) (field, shown string) {
	name, rest := inner, ""
	if i := strings.IndexAny(inner, ".["); i > 0 {
		name, rest = inner[:i], inner[i:]
	}
	// The message may name the setting again, by its key: once is enough.
	for _, named := range []string{inner + ": ", "settings." + inner + " ", inner + " "} {
		msg = strings.TrimPrefix(msg, named)
	}
	return "settings." + name, ui.SettingLabel(name) + rest + ": " + msg
}

func (s *Server) renderMonitorForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, editing bool, view monitorFormView, errs map[string]string) {
	title := "New monitor"
	if editing {
		title = "Edit monitor"
	}
	p := ui.MonitorFormProps{Page: s.pageFor(w, r, rc, title, "dashboard"), Editing: editing, Values: view.values, Errors: errs, Types: formTypes(view.values.Type)}
	if dir, err := s.loadDirectory(); err != nil {
		s.log.Error("read contacts for the monitor form", "err", err)
	} else {
		p.NotifyOptions, p.PolicyOptions = dir.targetOptions(), dir.policyOptions()
	}
	more := view.more
	more.Monitors = s.dependsOnOptions(view.values.ID)
	if t, ok := checks.Lookup(view.values.Type); ok {
		more.SecretsEntered = s.entered(view.secrets, t, rc)
	}
	s.render(w, r, status, ui.MonitorFormPageWith(p, more))
}

// formTypes are the types the form offers: every type a person may choose,
// and current, the type of the monitor being edited.
func formTypes(current string) []ui.CheckType {
	var out []ui.CheckType
	for _, t := range checks.Types() {
		if t.ServerResults && t.Name != current {
			continue // made by the server, never chosen in the form
		}
		ct := ui.CheckType{Name: t.Name, Title: t.Title, TargetHelp: t.TargetHelp}
		for _, st := range t.Settings {
			kind := st.Kind
			if st.Secret {
				kind = ui.SecretKind
			}
			ct.Settings = append(ct.Settings, ui.CheckSetting{Name: st.Name, Kind: kind, Default: st.Default, Options: st.Options, OptionTitles: st.OptionTitles, Help: st.Help})
		}
		out = append(out, ct)
	}
	return out
}

// formValuesFrom reads the monitor form's fields as typed, but for the
// secret settings, which are never shown again (see readFormSecrets).
func formValuesFrom(v url.Values) ui.MonitorForm {
	f := ui.MonitorForm{
		Name: v.Get("name"), Type: v.Get("type"), Target: v.Get("target"),
		Interval: v.Get("interval"), Timeout: v.Get("timeout"), Confirm: v.Get("confirm"),
		DependsOn: v.Get("depends_on"), Locations: v.Get("locations"), Paused: v.Get("paused") == "on" || v.Get("paused") == "true",
		Settings: map[string]string{},
		Notify:   v["notify"], Escalation: v.Get("escalation"), RemindEvery: v.Get("remind_every"),
	}
	t, _ := checks.Lookup(f.Type)
	secret := t.SecretNames()
	for key, vals := range v {
		if name, ok := strings.CutPrefix(key, "settings."); ok && len(vals) > 0 && !slices.Contains(secret, name) {
			// A checkbox sends a hidden "false" and, when ticked, "true": the last wins.
			f.Settings[name] = vals[len(vals)-1]
		}
	}
	return f
}

// formInput turns a post of the form into the API's input (see
// inputFromForm), with its secrets, tags, min_failed_locations, and
// depends_on resolved from names to ids.
func (s *Server) formInput(view monitorFormView, base monitorInput) (monitorInput, error) {
	in, err := inputFromForm(view.values, base)
	if err != nil {
		return in, err
	}
	if in.Settings, err = view.secrets.addTo(in.Settings); err != nil {
		return in, badRequest("settings", "settings must be a JSON object")
	}
	if !view.unsent["tags"] {
		in.Tags = splitList(view.more.Tags)
	}
	if !view.unsent["min_failed_locations"] {
		in.MinFailedLocations = nil
	}
	if n := strings.TrimSpace(view.more.MinFailedLocations); n != "" {
		v, err := strconv.Atoi(n)
		if err != nil {
			return in, badRequest("min_failed_locations", "min_failed_locations must be a whole number")
		}
		in.MinFailedLocations = &v
	}
	in.DependsOn, err = s.dependsOnByName(view.values.DependsOn)
	return in, err
}

// formMoreFrom reads the form's fields that MonitorFormMore holds.
func formMoreFrom(v url.Values) ui.MonitorFormMore {
	return ui.MonitorFormMore{Tags: v.Get("tags"), MinFailedLocations: v.Get("min_failed_locations")}
}

// inputFromForm turns form strings into the API's input, so the form and
// the API share one validation. The form's fields replace those of base;
// formInput adds those that need the server.
func inputFromForm(f ui.MonitorForm, base monitorInput) (monitorInput, error) {
	in := base
	in.Name, in.Type, in.Target, in.Interval, in.Timeout, in.Paused = f.Name, f.Type, f.Target, f.Interval, f.Timeout, f.Paused
	in.Confirm = nil
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
	if st.Kind == "json" {
		// Untrimmed, so that an error's line and column are the textarea's.
		return jsonSettingValue(raw)
	}
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
	var settings map[string]json.RawMessage
	_ = json.Unmarshal(m.Settings, &settings)
	t, _ := checks.Lookup(m.Type)
	for k, raw := range settings {
		if slices.Contains(t.SecretNames(), k) {
			continue // write-only: the form says whether one is stored
		}
		if settingKind(t, k) == "json" {
			f.Settings[k] = indentJSON(raw)
			continue
		}
		var v any
		_ = json.Unmarshal(raw, &v)
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

// maxDependsOnOptions bounds the names the form offers for depends_on;
// a name not offered can still be typed.
const maxDependsOnOptions = 2000

// dependsOnOptions offers the monitors other than self by name.
func (s *Server) dependsOnOptions(self string) []ui.Option {
	all := s.monitors.all()
	out := make([]ui.Option, 0, min(len(all), maxDependsOnOptions))
	for _, m := range all {
		if m.ID != self && len(out) < maxDependsOnOptions {
			out = append(out, ui.Option{Value: m.Name, Label: m.Name, Hint: m.Type + " · " + m.Target})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Value) < strings.ToLower(out[j].Value) })
	return out
}

// monitorNames shows monitor ids as the form takes them: names,
// comma-separated (an id whose monitor is gone stays an id).
func (s *Server) monitorNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if m, ok := s.monitors.get(id); ok {
			id = m.Name
		}
		names = append(names, id)
	}
	return strings.Join(names, ", ")
}

// dependsOnByName resolves the form's depends_on, monitor names separated
// by commas (compared without case), to ids. A name that itself holds
// commas is found whole: the longest run of parts that names a monitor
// wins. A part that names none may be a monitor's id; else it is an error
// naming the field.
func (s *Server) dependsOnByName(text string) ([]string, error) {
	parts := strings.Split(text, ",")
	if len(parts) > 4*maxDependencies {
		return nil, badRequest("depends_on", "a monitor depends on at most %d others", maxDependencies)
	}
	byName := map[string][]string{}
	for _, m := range s.monitors.all() {
		key := strings.ToLower(strings.TrimSpace(m.Name))
		byName[key] = append(byName[key], m.ID)
	}
	var ids []string
	for i := 0; i < len(parts); {
		part := strings.TrimSpace(parts[i])
		if part == "" {
			i++
			continue
		}
		// Grow the run part by part while it could still be a name.
		j, found := i+1, []string(nil)
		run := parts[i]
		for end := i + 1; len(strings.TrimSpace(run)) <= maxNameLen; end++ {
			if ids := byName[strings.ToLower(strings.TrimSpace(run))]; len(ids) > 0 {
				j, found = end, ids
			}
			if end == len(parts) {
				break
			}
			run += "," + parts[end]
		}
		switch {
		case len(found) == 1:
			ids = append(ids, found[0])
		case len(found) > 1:
			return nil, badRequest("depends_on", "%d monitors are called %q: rename one, or give its id", len(found), strings.TrimSpace(strings.Join(parts[i:j], ",")))
		default:
			if _, ok := s.monitors.get(part); !ok {
				return nil, badRequest("depends_on", "no monitor is called %q", part)
			}
			ids = append(ids, part)
		}
		i = j
	}
	return ids, nil
}
