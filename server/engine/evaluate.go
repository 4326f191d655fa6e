package engine

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// evaluate sets s's status from its locations, opening or resolving the
// incident, and returns the events. e.mu must be held.
func (e *Engine) evaluate(m store.Monitor, s *store.MonitorState, at time.Time) []Event {
	from := s.Status
	to := status(m, s.Locations)
	var events []Event
	msg := ""
	switch {
	case to == checks.StatusProblem && s.IncidentID == "":
		if parent, down := e.parentDown(m); down {
			msg = unreachable(parent)
			break
		}
		if parent, failing := e.parentFailing(m, at); failing {
			msg = waitingForParent(parent)
			break
		}
		if note, active := e.inMaintenance(m, at); active {
			msg = note
			break
		}
		if ev, ok := e.open(m, s, at); ok {
			events = append(events, ev)
			msg = ev.Message
		}
	case to != checks.StatusProblem && s.IncidentID != "":
		if ev, ok := e.resolve(m, s, at, to); ok {
			events = append(events, ev)
		}
	}
	if to == from {
		return events
	}
	s.Status, s.Since = to, at
	if msg == "" {
		if _, last, ok := worstLast(s.Locations); ok {
			msg = last.Message
		}
	}
	change := Event{Kind: StatusChanged, MonitorID: m.ID, MonitorName: m.Name, At: at, From: from, To: to, Message: msg}
	return append([]Event{change}, events...)
}

// parentDown reports whether a parent of m is in problem, and its name.
func (e *Engine) parentDown(m store.Monitor) (string, bool) {
	for _, id := range m.DependsOn {
		p, ok := e.monitors[id]
		if !ok || p.Paused {
			continue
		}
		if ps, ok := e.states[id]; ok && ps.Status == checks.StatusProblem {
			return cmp.Or(p.Name, p.ID), true
		}
	}
	return "", false
}

func unreachable(parent string) string {
	return "unreachable: parent " + parent + " is down"
}

// open creates m's incident. When the store fails the monitor stays
// without one and the next result tries again.
func (e *Engine) open(m store.Monitor, s *store.MonitorState, at time.Time) (Event, bool) {
	inc := store.Incident{MonitorID: m.ID, StartedAt: at, Status: store.IncidentOpen, Message: failureMessage(m, s.Locations, e.nameOf)}
	if err := e.st.CreateIncident(&inc); err != nil {
		e.log.Error("open incident", "monitor", m.ID, "err", err)
		return Event{}, false
	}
	s.IncidentID = inc.ID
	return Event{Kind: IncidentOpened, MonitorID: m.ID, MonitorName: m.Name, At: at, From: s.Status,
		To: checks.StatusProblem, Message: inc.Message, Incident: &inc}, true
}

// resolve ends s's open incident in one store transaction, so an
// acknowledgement made meanwhile is kept. When the store fails the
// incident stays open here and the next result tries again.
func (e *Engine) resolve(m store.Monitor, s *store.MonitorState, at time.Time, to checks.Status) (Event, bool) {
	inc, resolved, err := e.st.ResolveIncident(s.IncidentID, at)
	if errors.Is(err, store.ErrNotFound) {
		s.IncidentID = ""
		return Event{}, false
	}
	if err != nil {
		e.log.Error("resolve incident", "monitor", m.ID, "incident", s.IncidentID, "err", err)
		return Event{}, false
	}
	s.IncidentID = ""
	if !resolved {
		return Event{}, false
	}
	return Event{Kind: IncidentResolved, MonitorID: m.ID, MonitorName: m.Name, At: at, From: checks.StatusProblem,
		To: to, Message: inc.Message, Incident: &inc}, true
}

// nameOf is how incident messages name a location. e.mu must be held.
func (e *Engine) nameOf(location string) string {
	if e.locationName == nil {
		return location
	}
	return cmp.Or(e.locationName(location), location)
}

// failureMessage says what failed where, each message once with every
// location that reported it: "connection refused from web-01 (agent) and
// server; timeout from eu-1 (agent)". A host check reads the host it runs
// on: "memory 97% used on web-01 (agent)".
func failureMessage(m store.Monitor, locs map[string]store.LocationState, name func(string) string) string {
	var msgs []string
	where := map[string][]string{}
	for _, loc := range slices.Sorted(maps.Keys(locs)) {
		ls := locs[loc]
		if ls.Status != checks.StatusProblem {
			continue
		}
		msg := cmp.Or(ls.Last.Message, "problem")
		if _, seen := where[msg]; !seen {
			msgs = append(msgs, msg)
		}
		where[msg] = append(where[msg], name(loc))
	}
	prep := " from "
	if t, ok := checks.Lookup(m.Type); ok && t.Scope == checks.ScopeHost {
		prep = " on "
	}
	parts := make([]string, 0, len(msgs))
	for _, msg := range msgs {
		parts = append(parts, msg+prep+andList(where[msg]))
	}
	return strings.Join(parts, "; ")
}

// andList joins names as a sentence does: "a", "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
