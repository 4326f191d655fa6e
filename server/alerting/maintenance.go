package alerting

import (
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// InMaintenance reports whether m is in a maintenance window at at, and
// the window's name. The engine calls it (engine.SetMaintenance) so that a
// window opens no incident, and the sender calls it so that an incident
// open before the window stays quiet during it. It reads a cache of the
// stored windows, loaded on first use and after MaintenanceChanged, so it
// is cheap enough to be called under the engine's lock.
func (d *Dispatcher) InMaintenance(m store.Monitor, at time.Time) (string, bool) {
	for _, w := range d.windows() {
		if covers(w, m) && w.ActiveAt(at) {
			return w.Name, true
		}
	}
	return "", false
}

// MaintenanceChanged drops the cached windows; the API calls it after it
// creates, changes or deletes one.
func (d *Dispatcher) MaintenanceChanged() {
	d.mwMu.Lock()
	d.mwLoaded = false
	d.mwMu.Unlock()
}

// windows returns the stored windows, loading them when the cache is
// empty. When the store fails the previous list is kept and the next call
// tries again.
func (d *Dispatcher) windows() []store.MaintenanceWindow {
	d.mwMu.Lock()
	defer d.mwMu.Unlock()
	if d.mwLoaded {
		return d.mw
	}
	stored, err := d.st.MaintenanceWindows()
	if err != nil {
		d.log.Error("load maintenance windows", "err", err)
		return d.mw
	}
	// A new slice each time: callers may still be reading the old one.
	d.mw, d.mwLoaded = stored, true
	return d.mw
}

// covers reports whether w's scope takes in m: its id, one of its tags,
// or an agent among its locations. An empty scope covers nothing, so a
// half-made window never silences everything.
func covers(w store.MaintenanceWindow, m store.Monitor) bool {
	return slices.Contains(w.Monitors, m.ID) ||
		slices.ContainsFunc(m.Tags, func(tag string) bool { return slices.Contains(w.Tags, tag) }) ||
		slices.ContainsFunc(m.Locations, func(loc string) bool { return slices.Contains(w.Agents, loc) })
}
