package server

import (
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// windowState says whether w is on at now and when that next changes:
// the end of the current stretch, or the start of the next one (nil when
// it never will again).
func windowState(w store.MaintenanceWindow, now time.Time) (bool, *time.Time) {
	active := w.ActiveAt(now)
	next := w.NextChange(now)
	if next.IsZero() {
		return active, nil
	}
	return active, &next
}

// windowCovers reports whether w's scope takes in m: its id, one of its
// tags, or an agent among its locations (as alerting decides).
func windowCovers(w store.MaintenanceWindow, m store.Monitor) bool {
	return slices.Contains(w.Monitors, m.ID) ||
		slices.ContainsFunc(m.Tags, func(t string) bool { return slices.Contains(w.Tags, t) }) ||
		slices.ContainsFunc(m.Locations, func(l string) bool { return slices.Contains(w.Agents, l) })
}

// activeWindow is a window on now, with when it ends.
type activeWindow struct {
	w     store.MaintenanceWindow
	until time.Time
}

// activeWindows returns the windows on at now; errors are logged and
// yield none, since a page must still render.
func (s *Server) activeWindows(now time.Time) []activeWindow {
	list, err := s.db.MaintenanceWindows()
	if err != nil {
		s.log.Error("read maintenance windows", "err", err)
		return nil
	}
	var out []activeWindow
	for _, w := range list {
		if on, until := windowState(w, now); on {
			a := activeWindow{w: w}
			if until != nil {
				a.until = *until
			}
			out = append(out, a)
		}
	}
	return out
}

// maintenanceOf returns the name of the first active window covering m.
func maintenanceOf(active []activeWindow, m store.Monitor) string {
	for _, a := range active {
		if windowCovers(a.w, m) {
			return a.w.Name
		}
	}
	return ""
}

// coveredMonitors counts the monitors in w's scope.
func coveredMonitors(w store.MaintenanceWindow, monitors []store.Monitor) int {
	n := 0
	for _, m := range monitors {
		if windowCovers(w, m) {
			n++
		}
	}
	return n
}

// clock parses a 24-hour "HH:MM".
func clock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}
