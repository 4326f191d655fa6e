package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// maintenanceInput is what POST and PUT /api/v1/maintenance take: a
// one-off window (start and end, RFC 3339) or a weekly one, and its scope
// (monitors and agents by id or name, monitor tags). On PUT a field left
// out keeps its value; to turn a one-off window into a weekly one, send
// "start": null and "end": null with "weekly".
type maintenanceInput struct {
	Name     string       `json:"name"`
	Start    *string      `json:"start"`
	End      *string      `json:"end"`
	Weekly   *weeklyInput `json:"weekly"`
	Monitors []string     `json:"monitors"`
	Tags     []string     `json:"tags"`
	Agents   []string     `json:"agents"`

	ID         *json.RawMessage `json:"id,omitempty"`
	Active     *json.RawMessage `json:"active,omitempty"`
	NextChange *json.RawMessage `json:"next_change,omitempty"`
	CreatedAt  *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt  *json.RawMessage `json:"updated_at,omitempty"`
}

// weeklyInput is a recurring window: days are 0 (Sunday) to 6, or day
// names ("sat", "Saturday"); from and to are "HH:MM" wall-clock times in
// time_zone (an IANA name); a to at or before from runs past midnight.
type weeklyInput struct {
	Days     []json.RawMessage `json:"days"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	TimeZone string            `json:"time_zone"`
}

type maintenanceOutput struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Start      *time.Time    `json:"start"`
	End        *time.Time    `json:"end"`
	Weekly     *weeklyOutput `json:"weekly"`
	Monitors   []string      `json:"monitors"`
	Tags       []string      `json:"tags"`
	Agents     []string      `json:"agents"`
	Active     bool          `json:"active"`
	NextChange *time.Time    `json:"next_change"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

type weeklyOutput struct {
	Days     []int  `json:"days"`
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`
}

func maintenanceView(w store.MaintenanceWindow, now time.Time) maintenanceOutput {
	out := maintenanceOutput{
		ID: w.ID, Name: w.Name, Start: timeOrNil(w.Start), End: timeOrNil(w.End),
		Monitors: nonNil(w.Monitors), Tags: nonNil(w.Tags), Agents: nonNil(w.Agents),
		CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC(),
	}
	if w.Weekly != nil {
		days := make([]int, 0, len(w.Weekly.Days))
		for _, d := range w.Weekly.Days {
			days = append(days, int(d))
		}
		out.Weekly = &weeklyOutput{Days: days, From: w.Weekly.From, To: w.Weekly.To, TimeZone: w.Weekly.TimeZone}
	}
	out.Active, out.NextChange = windowState(w, now)
	if out.NextChange != nil {
		t := out.NextChange.UTC()
		out.NextChange = &t
	}
	return out
}

func inputFromWindow(w store.MaintenanceWindow) maintenanceInput {
	in := maintenanceInput{Name: w.Name, Monitors: w.Monitors, Tags: w.Tags, Agents: w.Agents}
	if !w.Start.IsZero() {
		s := w.Start.UTC().Format(time.RFC3339)
		in.Start = &s
	}
	if !w.End.IsZero() {
		e := w.End.UTC().Format(time.RFC3339)
		in.End = &e
	}
	if w.Weekly != nil {
		wk := &weeklyInput{From: w.Weekly.From, To: w.Weekly.To, TimeZone: w.Weekly.TimeZone}
		for _, d := range w.Weekly.Days {
			wk.Days = append(wk.Days, json.RawMessage(strconv.Itoa(int(d))))
		}
		in.Weekly = wk
	}
	return in
}

// toWindow validates in and fills w; monitors and agents named by name
// are stored by id.
func (s *Server) toWindow(in maintenanceInput, w *store.MaintenanceWindow, creating bool) error {
	var errs fieldErrors
	name, err := validRecordName(in.Name)
	errs.add(err)
	next := store.MaintenanceWindow{Name: name}
	if in.Start != nil && strings.TrimSpace(*in.Start) != "" {
		next.Start, err = parseWindowTime("start", *in.Start)
		errs.add(err)
	}
	if in.End != nil && strings.TrimSpace(*in.End) != "" {
		next.End, err = parseWindowTime("end", *in.End)
		errs.add(err)
	}
	if in.Weekly != nil {
		next.Weekly = &store.WeeklyWindow{From: strings.TrimSpace(in.Weekly.From), To: strings.TrimSpace(in.Weekly.To), TimeZone: strings.TrimSpace(in.Weekly.TimeZone)}
		next.Weekly.Days, err = parseWeekdays(in.Weekly.Days)
		errs.add(err)
		errs = append(errs, weeklyErrors(next.Weekly)...)
	}
	if len(errs) == 0 {
		// The store's rules are the ones alerting applies: checked on the
		// schedule alone here, the scope below.
		probe := next
		probe.Name, probe.Tags = "probe", []string{"probe"}
		var se *checks.SettingError
		if err := probe.Validate(); errors.As(err, &se) {
			errs.add(badRequest(se.Field, "%s", se.Msg))
		} else if err != nil {
			errs.add(badRequest("", "%s", err.Error()))
		}
	}
	if creating && next.Weekly == nil && !next.End.IsZero() && !next.End.After(time.Now()) {
		errs.add(badRequest("end", "end is in the past: this window would be over before it is saved"))
	}
	next.Monitors, err = s.scopeMonitors(in.Monitors)
	errs.add(err)
	next.Tags, err = validTags(in.Tags)
	errs.add(err)
	next.Agents, err = s.scopeAgents(in.Agents)
	errs.add(err)
	if len(errs.about("monitors"))+len(errs.about("tags"))+len(errs.about("agents")) == 0 &&
		len(next.Monitors)+len(next.Tags)+len(next.Agents) == 0 {
		errs.add(badRequest("monitors", "the window covers nothing: choose monitors, monitor tags or agents"))
	}
	if len(errs) > 0 {
		return errs
	}
	w.Name, w.Start, w.End, w.Weekly = next.Name, next.Start, next.End, next.Weekly
	w.Monitors, w.Tags, w.Agents = nonNil(next.Monitors), nonNil(next.Tags), nonNil(next.Agents)
	return nil
}

func parseWindowTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return t, badRequest(field, "%s must be a time like 2026-11-28T22:00:00Z or 2026-11-28T23:00:00+01:00", field)
	}
	return t.UTC(), nil
}

// weeklyErrors checks each part of a weekly window, so that a form shows
// every problem at once (the store's Validate stops at the first).
func weeklyErrors(wk *store.WeeklyWindow) fieldErrors {
	var errs fieldErrors
	if len(wk.Days) == 0 {
		errs.add(badRequest("weekly.days", "name at least one day"))
	}
	for _, c := range []struct{ field, v string }{{"weekly.from", wk.From}, {"weekly.to", wk.To}} {
		if _, _, ok := clock(c.v); !ok {
			errs.add(badRequest(c.field, "%q: want a time of day as HH:MM, 00:00 to 23:59", c.v))
		}
	}
	if _, err := time.LoadLocation(wk.TimeZone); err != nil || wk.TimeZone == "" || wk.TimeZone == "Local" {
		errs.add(badRequest("weekly.time_zone", "%q is not a known IANA time zone (e.g. Europe/Berlin, UTC)", wk.TimeZone))
	}
	return errs
}

// dayNames are the names parseWeekdays takes, by their first three letters.
var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// parseWeekdays reads days as numbers (0 = Sunday) or names, each once.
func parseWeekdays(in []json.RawMessage) ([]time.Weekday, error) {
	bad := badRequest("weekly.days", "days are 0 (Sunday) to 6 (Saturday), or names such as \"sat\" or \"Saturday\"")
	var out []time.Weekday
	seen := map[time.Weekday]bool{}
	for _, raw := range in {
		var d time.Weekday
		var n int
		var name string
		switch {
		case json.Unmarshal(raw, &n) == nil:
			if n < 0 || n > 6 {
				return nil, bad
			}
			d = time.Weekday(n)
		case json.Unmarshal(raw, &name) == nil:
			name = strings.ToLower(strings.TrimSpace(name))
			wd, ok := dayNames[name[:min(3, len(name))]]
			if !ok || (len(name) > 3 && !strings.HasPrefix(strings.ToLower(wd.String()), name)) {
				return nil, bad
			}
			d = wd
		default:
			return nil, bad
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// scopeMonitors resolves monitors named by id, or by a name only one
// monitor has.
func (s *Server) scopeMonitors(refs []string) ([]string, error) {
	if len(refs) > maxScopeTokens {
		return nil, badRequest("monitors", "a window names at most %d monitors; use a tag for more", maxScopeTokens)
	}
	var out []string
	seen := map[string]bool{}
	all := s.monitors.all()
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		id := ""
		if m, ok := s.monitors.get(ref); ok {
			id = m.ID
		} else {
			for _, m := range all {
				if strings.EqualFold(m.Name, ref) {
					if id != "" {
						return nil, badRequest("monitors", "more than one monitor is called %q: name it by id", ref)
					}
					id = m.ID
				}
			}
		}
		if id == "" {
			return nil, badRequest("monitors", "unknown monitor %q: not the id or name of one", ref)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// scopeAgents resolves agents named by id or name.
func (s *Server) scopeAgents(refs []string) ([]string, error) {
	if len(refs) > maxScopeTokens {
		return nil, badRequest("agents", "a window names at most %d agents", maxScopeTokens)
	}
	var out []string
	seen := map[string]bool{}
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		a, ok := s.lookupAgent(ref)
		if !ok {
			return nil, badRequest("agents", "unknown agent %q: not the id or name of one", ref)
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, a.ID)
		}
	}
	return out, nil
}

func (s *Server) findWindow(id string) (store.MaintenanceWindow, error) {
	w, err := s.db.Maintenance(id)
	if errors.Is(err, store.ErrNotFound) {
		return w, notFound("maintenance window", id)
	}
	return w, err
}

func (s *Server) saveWindow(id string, in maintenanceInput, by store.Actor) (store.MaintenanceWindow, error) {
	var w store.MaintenanceWindow
	if id != "" {
		var err error
		if w, err = s.findWindow(id); err != nil {
			return w, err
		}
	}
	if err := s.toWindow(in, &w, id == ""); err != nil {
		return w, err
	}
	var err error
	if id == "" {
		err = s.db.CreateMaintenance(&w, by)
	} else {
		err = s.db.UpdateMaintenance(&w, by)
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return w, conflict("maintenance window", w.Name)
	case errors.Is(err, store.ErrNotFound):
		return w, notFound("maintenance window", id)
	case err != nil:
		return w, err
	}
	s.maintenanceChanged()
	return w, nil
}

func (s *Server) deleteWindow(id string, by store.Actor) (store.MaintenanceWindow, error) {
	w, err := s.findWindow(id)
	if err != nil {
		return w, err
	}
	if err := s.db.DeleteMaintenance(id, by); errors.Is(err, store.ErrNotFound) {
		return w, notFound("maintenance window", id)
	} else if err != nil {
		return w, err
	}
	s.maintenanceChanged()
	return w, nil
}

// maintenanceChanged tells alerting (and through it the engine) that the
// windows changed.
func (s *Server) maintenanceChanged() {
	if s.dispatcher != nil {
		s.dispatcher.MaintenanceChanged()
	}
}

func (s *Server) handleAPIMaintenanceList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.MaintenanceWindows()
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]maintenanceOutput, 0, len(list))
	for _, mw := range list {
		out = append(out, maintenanceView(mw, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIMaintenanceGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	mw, err := s.findWindow(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, maintenanceView(mw, time.Now()))
	return nil
}

func (s *Server) handleAPIMaintenanceCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in maintenanceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	mw, err := s.saveWindow("", in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, maintenanceView(mw, time.Now()))
	return nil
}

func (s *Server) handleAPIMaintenanceUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	mw, err := s.findWindow(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromWindow(mw)
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if mw, err = s.saveWindow(mw.ID, in, rc.actor()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, maintenanceView(mw, time.Now()))
	return nil
}

func (s *Server) handleAPIMaintenanceDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.deleteWindow(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
