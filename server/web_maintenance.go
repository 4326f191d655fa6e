package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// commonZones are the time zones the maintenance form offers; any other
// IANA name can be typed.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
	"Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens",
	"Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata",
	"Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Sao_Paulo",
}

// localLayout is how a datetime-local input sends a time.
const localLayout = "2006-01-02T15:04"

func (s *Server) handleMaintenancePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.maintenanceProps(s.pageFor(w, r, rc, "Maintenance", "maintenance"), rc)
	if err != nil {
		return err
	}
	p.Form = ui.MaintenanceForm{Kind: "once", TimeZone: "UTC"}
	s.render(w, r, http.StatusOK, ui.MaintenancePage(p))
	return nil
}

func (s *Server) handleMaintenanceEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	mw, err := s.findWindow(r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.maintenanceProps(s.pageFor(w, r, rc, "Edit maintenance window", "maintenance"), rc)
	if err != nil {
		return err
	}
	p.Form = maintenanceFormFrom(mw)
	s.render(w, r, http.StatusOK, ui.MaintenancePage(p))
	return nil
}

// maintenanceProps fills the maintenance screen.
func (s *Server) maintenanceProps(pg ui.Page, rc *reqCtx) (ui.MaintenanceProps, error) {
	p := ui.MaintenanceProps{Page: pg, CanEdit: canEdit(rc), Zones: commonZones}
	list, err := s.db.MaintenanceWindows()
	if err != nil {
		return p, err
	}
	agents, err := s.db.Agents()
	if err != nil {
		return p, err
	}
	agentNames := map[string]string{}
	for _, a := range agents {
		agentNames[a.ID] = a.Name
		if a.RevokedAt == nil {
			p.Agents = append(p.Agents, ui.Option{Value: a.ID, Label: a.Name})
		}
	}
	monitors := s.monitors.all()
	monitorNames := map[string]string{}
	for _, m := range monitors {
		monitorNames[m.ID] = m.Name
		p.Monitors = append(p.Monitors, ui.Option{Value: m.ID, Label: m.Name})
	}
	now := time.Now()
	for _, mw := range list {
		row := ui.MaintenanceRow{ID: mw.ID, Name: mw.Name, Schedule: windowSchedule(mw),
			Scope: windowScope(mw, monitorNames, agentNames), Monitors: coveredMonitors(mw, monitors)}
		var next *time.Time
		row.Active, next = windowState(mw, now)
		if next != nil {
			row.NextChange = *next
		}
		p.Windows = append(p.Windows, row)
	}
	return p, nil
}

// windowSchedule says when a window is on, in words.
func windowSchedule(w store.MaintenanceWindow) string {
	if w.Weekly == nil {
		return w.Start.UTC().Format("Jan 2 2006, 15:04") + " – " + w.End.UTC().Format("Jan 2 2006, 15:04") + " UTC"
	}
	// Monday first, as people in most places read a week.
	sorted := slices.Clone(w.Weekly.Days)
	slices.SortFunc(sorted, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	days := make([]string, 0, len(sorted))
	for _, d := range sorted {
		days = append(days, d.String()[:3])
	}
	return "Every " + strings.Join(days, ", ") + " " + w.Weekly.From + "–" + w.Weekly.To + " " + w.Weekly.TimeZone
}

// windowScope says what a window covers: a few monitors by name, tags,
// agents by name.
func windowScope(w store.MaintenanceWindow, monitors, agents map[string]string) string {
	var parts []string
	if n := len(w.Monitors); n > 0 {
		var names []string
		for _, id := range w.Monitors[:min(n, 3)] {
			names = append(names, cmpOr(monitors[id], "deleted monitor "+id))
		}
		if n > 3 {
			names = append(names, "and "+strconv.Itoa(n-3)+" more")
		}
		parts = append(parts, "monitors "+strings.Join(names, ", "))
	}
	if len(w.Tags) > 0 {
		parts = append(parts, "tags "+strings.Join(w.Tags, ", "))
	}
	if len(w.Agents) > 0 {
		var names []string
		for _, id := range w.Agents {
			names = append(names, cmpOr(agents[id], "agent "+id))
		}
		parts = append(parts, "agents "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// maintenanceFormFrom fills the edit form; a one-off window's times are
// shown in UTC, the zone it is stored in.
func maintenanceFormFrom(w store.MaintenanceWindow) ui.MaintenanceForm {
	f := ui.MaintenanceForm{ID: w.ID, Name: w.Name, Kind: "once", TimeZone: "UTC", Monitors: w.Monitors,
		Tags: strings.Join(w.Tags, ", "), Agents: w.Agents}
	if w.Weekly != nil {
		f.Kind, f.From, f.To, f.TimeZone = "weekly", w.Weekly.From, w.Weekly.To, w.Weekly.TimeZone
		for _, d := range w.Weekly.Days {
			f.Days = append(f.Days, int(d))
		}
		return f
	}
	f.Start, f.End = w.Start.UTC().Format(localLayout), w.End.UTC().Format(localLayout)
	return f
}

// maintenanceFormValues reads the form as typed; the zone typed in
// "Other" wins over the select.
func maintenanceFormValues(r *http.Request) ui.MaintenanceForm {
	f := ui.MaintenanceForm{ID: r.PathValue("id"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")), Monitors: r.PostForm["monitors"],
		Tags: r.PostFormValue("tags"), Agents: r.PostForm["agents"]}
	if other := strings.TrimSpace(r.PostFormValue("time_zone_other")); other != "" || f.TimeZone == "other" {
		f.TimeZone = other
	}
	for _, d := range r.PostForm["days"] {
		if n, err := strconv.Atoi(d); err == nil {
			f.Days = append(f.Days, n)
		}
	}
	if f.Kind != "weekly" {
		f.Kind = "once"
	}
	return f
}

// maintenanceInputFromForm turns the form into the API's input: a
// one-off window's wall-clock times read in the chosen zone.
func maintenanceInputFromForm(f ui.MaintenanceForm) (maintenanceInput, error) {
	in := maintenanceInput{Name: f.Name, Monitors: f.Monitors, Tags: splitList(f.Tags), Agents: f.Agents}
	if f.Kind == "weekly" {
		in.Weekly = &weeklyInput{From: f.From, To: f.To, TimeZone: f.TimeZone}
		for _, d := range f.Days {
			in.Weekly.Days = append(in.Weekly.Days, json.RawMessage(strconv.Itoa(d)))
		}
		return in, nil
	}
	var errs fieldErrors
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		errs.add(badRequest("time_zone", "%q is not a known IANA time zone (e.g. Europe/Berlin, UTC)", f.TimeZone))
		loc = time.UTC
	}
	for _, part := range []struct {
		field, value string
		dst          **string
	}{{"start", f.Start, &in.Start}, {"end", f.End, &in.End}} {
		t, err := time.ParseInLocation(localLayout, strings.TrimSpace(part.value), loc)
		if err != nil {
			errs.add(badRequest(part.field, "%s must be a date and time, such as 2026-11-28T22:00", part.field))
			continue
		}
		v := t.UTC().Format(time.RFC3339)
		*part.dst = &v
	}
	if len(errs) > 0 {
		return in, errs
	}
	return in, nil
}

// renameWindowField puts the API's field names on the form's.
func renameWindowField(f string) string {
	switch f {
	case "weekly.days":
		return "days"
	case "weekly.from":
		return "from"
	case "weekly.to":
		return "to"
	case "weekly.time_zone":
		return "time_zone"
	case "weekly":
		return ""
	}
	return f
}

// handleMaintenanceForm creates (POST /maintenance) or saves (POST
// /maintenance/{id}) a window.
func (s *Server) handleMaintenanceForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := maintenanceFormValues(r)
	in, err := maintenanceInputFromForm(form)
	var mw store.MaintenanceWindow
	if err == nil {
		mw, err = s.saveWindow(form.ID, in, rc.actor())
	} else {
		// Check the rest too, so that every error shows at once.
		var scratch store.MaintenanceWindow
		err = joinFieldErrors(err, s.toWindow(in, &scratch, form.ID == ""))
	}
	if err == nil {
		s.redirectWithFlash(w, r, "/maintenance", "Maintenance window "+quote(mw.Name)+" saved.")
		return nil
	}
	errs, ok := formErrors(err, renameWindowField)
	if !ok {
		return err
	}
	p, perr := s.maintenanceProps(s.page("Maintenance", rc.user.Username, rc.session.CSRFToken, "maintenance"), rc)
	if perr != nil {
		return perr
	}
	form.Errors = errs
	p.Form = form
	s.render(w, r, http.StatusBadRequest, ui.MaintenancePage(p))
	return nil
}

func (s *Server) handleMaintenanceDeleteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	mw, err := s.deleteWindow(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/maintenance", "Maintenance window "+quote(mw.Name)+" deleted.")
	return nil
}

// dashboardMaintenance adds the maintenance windows on now to the
// dashboard: a banner per window, and the window's name on each row of a
// monitor it covers. handleDashboard calls it once the rows are chosen.
func (s *Server) dashboardMaintenance(p *ui.DashboardProps) {
	active := s.activeWindows(time.Now())
	if len(active) == 0 {
		return
	}
	all := s.monitors.all()
	for _, a := range active {
		p.Maintenance = append(p.Maintenance, ui.MaintenanceBanner{Name: a.w.Name, Until: a.until, Monitors: coveredMonitors(a.w, all)})
	}
	for i, row := range p.Monitors {
		if m, ok := s.monitors.get(row.ID); ok {
			p.Monitors[i].Maintenance = maintenanceOf(active, m)
		}
	}
}
