package engine

import (
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// Store is what the engine persists through.
type Store interface {
	// CreateIncident stores a new incident and sets its ID.
	CreateIncident(i *store.Incident) error
	// UpdateIncident replaces the stored incident with the same ID.
	UpdateIncident(i *store.Incident) error
	// ResolveIncident ends the open incident id in one transaction,
	// keeping its other fields; resolved is false when it had ended
	// already (store.ErrNotFound if there is none).
	ResolveIncident(id string, endedAt time.Time) (inc store.Incident, resolved bool, err error)
	// PutMonitorStates stores states in one transaction.
	PutMonitorStates(states []store.MonitorState) error
}

// Kind says what an Event reports.
type Kind string

// The kinds of events.
const (
	StatusChanged    Kind = "status_changed"
	IncidentOpened   Kind = "incident_opened"
	IncidentResolved Kind = "incident_resolved"
)

// Event is one change the engine made.
type Event struct {
	Kind        Kind
	MonitorID   string
	MonitorName string
	At          time.Time // the time of the result that caused it
	From, To    checks.Status
	Message     string
	// Incident is a copy of the incident opened or resolved; nil for
	// StatusChanged.
	Incident *store.Incident
}

// State is a monitor's state with the message that explains it.
type State struct {
	store.MonitorState
	// Message is "unreachable: parent <name> is down" while a parent is
	// down, else the message of the worst latest location result.
	Message string
}

// Engine keeps every monitor's state. All methods are safe for
// concurrent use.
type Engine struct {
	st  Store
	log *slog.Logger

	mu       sync.Mutex
	monitors map[string]store.Monitor
	states   map[string]*store.MonitorState

	subMu   sync.RWMutex
	subs    map[int]func(Event)
	nextSub int

	// maintenance says whether m is in a maintenance window at t, and the
	// window's name; nil means never. Set before the first Apply.
	maintenance func(m store.Monitor, at time.Time) (window string, active bool)
	// locationName names a location (an agent's id, or "server") for
	// incident messages; nil leaves them as they are.
	locationName func(location string) string
}

// SetLocationNames sets how incident messages name a location: results
// carry an agent's id, people know the agent by name ("failing from
// web-01 (agent)", not "failing at 7"). Call it before the first Apply; fn
// is called only when an incident opens, must be fast and must not call
// back into the engine.
func (e *Engine) SetLocationNames(fn func(location string) string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.locationName = fn
}

// SetMaintenance sets how the engine learns that a monitor is in a
// maintenance window: while it is, a problem opens no incident (the
// results are still kept and the status still shown). Call it before the
// first Apply; fn must be fast and must not call back into the engine.
func (e *Engine) SetMaintenance(fn func(m store.Monitor, at time.Time) (window string, active bool)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.maintenance = fn
}

// inMaintenance reports whether m is in a maintenance window at at, and
// the message that says so. e.mu must be held.
func (e *Engine) inMaintenance(m store.Monitor, at time.Time) (string, bool) {
	if e.maintenance == nil {
		return "", false
	}
	if name, active := e.maintenance(m, at); active {
		return "in maintenance: " + name, true
	}
	return "", false
}

// New returns an engine persisting through st. Call Load before Apply.
func New(st Store, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{
		st:       st,
		log:      log,
		monitors: map[string]store.Monitor{},
		states:   map[string]*store.MonitorState{},
		subs:     map[int]func(Event){},
	}
}

// Load sets the monitors and the states persisted before a restart.
// States of monitors not in monitors are dropped.
func (e *Engine) Load(monitors []store.Monitor, states map[string]store.MonitorState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.monitors = make(map[string]store.Monitor, len(monitors))
	e.states = make(map[string]*store.MonitorState, len(monitors))
	for _, m := range monitors {
		e.monitors[m.ID] = m
		if s, ok := states[m.ID]; ok {
			s.Locations = maps.Clone(s.Locations)
			if s.Locations == nil {
				s.Locations = map[string]store.LocationState{}
			}
			e.states[m.ID] = &s
		}
	}
}

// UpsertMonitor adds or replaces one monitor's configuration. Location
// states for locations it no longer has are dropped. Pausing a monitor
// ends its open incident (nobody is watching it any more) and forgets its
// state, so that it starts afresh when resumed.
func (e *Engine) UpsertMonitor(m store.Monitor) []Event {
	e.mu.Lock()
	e.monitors[m.ID] = m
	s, ok := e.states[m.ID]
	var events []Event
	switch {
	case !ok:
	case m.Paused:
		if s.IncidentID != "" {
			if ev, ok := e.resolve(m, s, time.Now(), checks.StatusPaused); ok {
				events = append(events, ev)
			}
		}
		fresh := store.MonitorState{MonitorID: m.ID, IncidentID: s.IncidentID, Locations: map[string]store.LocationState{}}
		*s = fresh
		if err := e.st.PutMonitorStates([]store.MonitorState{fresh}); err != nil {
			e.log.Error("store paused state", "monitor", m.ID, "err", err)
		}
	case len(m.Locations) > 0:
		for loc := range s.Locations {
			if !contains(m.Locations, loc) {
				delete(s.Locations, loc)
			}
		}
	}
	e.mu.Unlock()
	e.publish(events)
	return events
}

// RemoveMonitor forgets a deleted monitor; its open incident, if any, is
// resolved now.
func (e *Engine) RemoveMonitor(id string) []Event {
	e.mu.Lock()
	m := e.monitors[id]
	s := e.states[id]
	delete(e.monitors, id)
	delete(e.states, id)
	var events []Event
	if s != nil && s.IncidentID != "" {
		if ev, ok := e.resolve(m, s, time.Now(), checks.StatusUnknown); ok {
			events = append(events, ev)
		}
	}
	e.mu.Unlock()
	e.publish(events)
	return events
}

// State returns a copy of one monitor's state.
func (e *Engine) State(id string) (State, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.states[id]
	if !ok {
		return State{}, false
	}
	return e.view(s), true
}

// States returns a copy of every monitor's state, by monitor id.
func (e *Engine) States() map[string]State {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]State, len(e.states))
	for id, s := range e.states {
		out[id] = e.view(s)
	}
	return out
}

// view copies s and explains it. e.mu must be held.
func (e *Engine) view(s *store.MonitorState) State {
	v := State{MonitorState: *s}
	v.Locations = maps.Clone(s.Locations)
	if s.Status == checks.StatusProblem && s.IncidentID == "" {
		if name, down := e.parentDown(e.monitors[s.MonitorID]); down {
			v.Message = unreachable(name)
			return v
		}
		if name, failing := e.parentFailing(e.monitors[s.MonitorID], latestAt(s)); failing {
			v.Message = waitingForParent(name)
			return v
		}
		if msg, active := e.inMaintenance(e.monitors[s.MonitorID], time.Now()); active {
			v.Message = msg
			return v
		}
	}
	if _, last, ok := worstLast(s.Locations); ok {
		v.Message = last.Message
	}
	return v
}

// Subscribe calls fn with every event, in order, on the goroutine that
// calls Apply, after the change is persisted. fn must not block: hand the
// event to your own goroutine. The returned function unsubscribes.
func (e *Engine) Subscribe(fn func(Event)) (unsubscribe func()) {
	e.subMu.Lock()
	defer e.subMu.Unlock()
	id := e.nextSub
	e.nextSub++
	e.subs[id] = fn
	return func() {
		e.subMu.Lock()
		defer e.subMu.Unlock()
		delete(e.subs, id)
	}
}

func (e *Engine) publish(events []Event) {
	if len(events) == 0 {
		return
	}
	e.subMu.RLock()
	defer e.subMu.RUnlock()
	for _, ev := range events {
		for _, fn := range e.subs {
			fn(ev)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
