package engine

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// Defaults for a monitor's zero Confirm and MinFailedLocations.
const (
	DefaultConfirm            = 2
	DefaultMinFailedLocations = 1
)

// Apply folds a committed batch into the states, persists what changed,
// tells subscribers and returns the events. Results of one location must
// come in time order, as the store keeps them.
func (e *Engine) Apply(batch []store.MonitorResult) []Event {
	e.mu.Lock()
	touched := map[string]time.Time{} // monitor → newest result applied
	for _, mr := range batch {
		m, ok := e.monitors[mr.MonitorID]
		if !ok || m.Paused {
			continue
		}
		if observe(e.state(m.ID), confirm(m), mr.Result) {
			if at := touched[m.ID]; mr.Result.At.After(at) || at.IsZero() {
				touched[m.ID] = mr.Result.At
			}
		}
	}
	var events []Event
	changed := make([]store.MonitorState, 0, len(touched))
	for _, id := range e.evalOrder(touched) {
		s := e.states[id]
		events = append(events, e.evaluate(e.monitors[id], s, touched[id])...)
		changed = append(changed, *s)
	}
	if len(changed) > 0 {
		if err := e.st.PutMonitorStates(changed); err != nil {
			e.log.Error("persist monitor states", "states", len(changed), "err", err)
		}
	}
	e.mu.Unlock()
	e.publish(events)
	return events
}

// state returns id's state, creating it. e.mu must be held.
func (e *Engine) state(id string) *store.MonitorState {
	s, ok := e.states[id]
	if !ok {
		s = &store.MonitorState{MonitorID: id, Status: checks.StatusUnknown, Locations: map[string]store.LocationState{}}
		e.states[id] = s
	}
	return s
}

// observe applies one result to its location and reports whether it was
// used. A problem result makes the location failing only once confirm of
// them came in a row; until then the location keeps its previous status.
func observe(s *store.MonitorState, confirm int, r checks.Result) bool {
	if !r.Status.Valid() {
		return false
	}
	ls, seen := s.Locations[r.Location]
	if seen && !r.At.After(ls.Last.At) {
		return false // replayed or out of order: already counted
	}
	if !seen {
		ls.Status = checks.StatusUnknown
	}
	next := r.Status
	if r.Status == checks.StatusProblem {
		ls.Fails++
		if ls.Fails < confirm {
			next = ls.Status
		}
	} else {
		ls.Fails = 0
	}
	if next != ls.Status || ls.Since.IsZero() {
		ls.Status, ls.Since = next, r.At
	}
	ls.Last = r
	s.Locations[r.Location] = ls
	return true
}

// status derives a monitor's status from its locations.
func status(m store.Monitor, locs map[string]store.LocationState) checks.Status {
	failing := 0
	worst := checks.StatusUnknown
	for _, ls := range locs {
		if ls.Status == checks.StatusProblem {
			failing++
		} else {
			worst = checks.Worse(worst, ls.Status)
		}
	}
	switch {
	case failing > 0 && failing >= minFailed(m):
		return checks.StatusProblem
	case failing > 0:
		// Failing somewhere, but not from enough places to page anyone.
		return checks.StatusWarning
	}
	return worst
}

func confirm(m store.Monitor) int {
	if m.Confirm <= 0 {
		return DefaultConfirm
	}
	return m.Confirm
}

func minFailed(m store.Monitor) int {
	n := m.MinFailedLocations
	if n <= 0 {
		n = DefaultMinFailedLocations
	}
	// Asking for more failing locations than the monitor has would make
	// it never fail.
	if len(m.Locations) > 0 && n > len(m.Locations) {
		n = len(m.Locations)
	}
	return n
}

// worstLast returns the location whose latest result is the worst (the
// first by name among equals).
func worstLast(locs map[string]store.LocationState) (string, checks.Result, bool) {
	var loc string
	var last checks.Result
	found := false
	for _, name := range slices.Sorted(maps.Keys(locs)) {
		r := locs[name].Last
		if !found || r.Status.Severity() > last.Status.Severity() {
			loc, last, found = name, r, true
		}
	}
	return loc, last, found
}

// evalOrder returns the touched monitors, parents before children, so a
// parent that fails or recovers in a batch is judged before its children.
func (e *Engine) evalOrder(touched map[string]time.Time) []string {
	depth := map[string]int{}
	var walk func(id string, seen map[string]bool) int
	walk = func(id string, seen map[string]bool) int {
		if d, ok := depth[id]; ok {
			return d
		}
		if seen[id] { // a dependency cycle: cut it here
			return 0
		}
		seen[id] = true
		d := 0
		for _, p := range e.monitors[id].DependsOn {
			if _, ok := e.monitors[p]; ok {
				d = max(d, walk(p, seen)+1)
			}
		}
		delete(seen, id)
		depth[id] = d
		return d
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		walk(id, map[string]bool{})
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if depth[a] != depth[b] {
			return depth[a] - depth[b]
		}
		return strings.Compare(a, b)
	})
	return ids
}
