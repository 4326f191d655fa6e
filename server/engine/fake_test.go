package engine

import (
	"errors"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// fakeStore keeps incidents and states in memory, like store.DB does.
type fakeStore struct {
	mu         sync.Mutex
	seq        int
	incidents  map[string]store.Incident
	states     map[string]store.MonitorState
	failCreate int // fail this many CreateIncident calls
}

func newFakeStore() *fakeStore {
	return &fakeStore{incidents: map[string]store.Incident{}, states: map[string]store.MonitorState{}}
}

func (f *fakeStore) CreateIncident(i *store.Incident) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failCreate > 0 {
		f.failCreate--
		return errors.New("disk full")
	}
	f.seq++
	i.ID = strconv.Itoa(f.seq)
	f.incidents[i.ID] = *i
	return nil
}

func (f *fakeStore) UpdateIncident(i *store.Incident) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.incidents[i.ID]; !ok {
		return store.ErrNotFound
	}
	f.incidents[i.ID] = *i
	return nil
}

func (f *fakeStore) Incident(id string) (store.Incident, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.incidents[id]
	if !ok {
		return store.Incident{}, store.ErrNotFound
	}
	return i, nil
}

func (f *fakeStore) PutMonitorStates(states []store.MonitorState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range states {
		s.Locations = maps.Clone(s.Locations)
		f.states[s.MonitorID] = s
	}
	return nil
}

// open returns the open incidents of monitor id.
func (f *fakeStore) open(id string) []store.Incident {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Incident
	for _, i := range f.incidents {
		if i.MonitorID == id && i.Status == store.IncidentOpen {
			out = append(out, i)
		}
	}
	return out
}

func (f *fakeStore) savedStates() map[string]store.MonitorState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.states)
}

func (f *fakeStore) ResolveIncident(id string, endedAt time.Time) (store.Incident, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.incidents[id]
	if !ok {
		return store.Incident{}, false, store.ErrNotFound
	}
	if i.Status != store.IncidentOpen {
		return i, false, nil
	}
	i.Status, i.EndedAt = store.IncidentResolved, &endedAt
	f.incidents[id] = i
	return i, true, nil
}
