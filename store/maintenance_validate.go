package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// Validate reports the first thing wrong with w as a *checks.SettingError
// whose Field names the input field the API takes: "name", "start", "end",
// "weekly.days", "weekly.from", "weekly.to", "weekly.time_zone" or
// "scope". A time zone this system does not know is caught here, so a
// stored window always has one that loads.
func (w MaintenanceWindow) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &checks.SettingError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(w.Name) == "" {
		return bad("name", "a maintenance window needs a name")
	}
	if w.Weekly == nil {
		switch {
		case w.Start.IsZero():
			return bad("start", "a one-off window needs a start (or weekly days and times for a recurring one)")
		case w.End.IsZero():
			return bad("end", "a one-off window needs an end")
		case !w.End.After(w.Start):
			return bad("end", "end %s must be after start %s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
		}
	} else if err := w.Weekly.validate(!w.Start.IsZero() || !w.End.IsZero()); err != nil {
		return err
	}
	if len(w.Monitors)+len(w.Tags)+len(w.Agents) == 0 {
		return bad("scope", "the window covers nothing: name monitors, monitor tags or agents")
	}
	return nil
}

func (wk *WeeklyWindow) validate(hasStartEnd bool) error {
	bad := func(field, format string, args ...any) error {
		return &checks.SettingError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if hasStartEnd {
		return bad("start", "a weekly window has days and times, not a start and end: set one or the other")
	}
	if len(wk.Days) == 0 {
		return bad("weekly.days", "name at least one day")
	}
	for _, d := range wk.Days {
		if d < time.Sunday || d > time.Saturday {
			return bad("weekly.days", "day %d: days are 0 (Sunday) to 6 (Saturday)", int(d))
		}
	}
	if _, _, err := parseClock(wk.From); err != nil {
		return bad("weekly.from", "%v", err)
	}
	if _, _, err := parseClock(wk.To); err != nil {
		return bad("weekly.to", "%v", err)
	}
	if _, err := loadZone(wk.TimeZone); err != nil {
		return bad("weekly.time_zone", "%v", err)
	}
	return nil
}
