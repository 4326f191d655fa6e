package server

import (
	"sort"
	"strconv"
	"sync"

	"github.com/vigil-monitor/vigil/store"
)

// monitorSet is the in-memory copy of every monitor, so pages and
// validation do not decode the whole bucket on each request. The store
// stays the source of truth: the set changes only after a store write.
type monitorSet struct {
	mu sync.RWMutex
	m  map[string]store.Monitor
}

func newMonitorSet(ms []store.Monitor) *monitorSet {
	set := &monitorSet{m: make(map[string]store.Monitor, len(ms))}
	for _, m := range ms {
		set.m[m.ID] = m
	}
	return set
}

func (s *monitorSet) get(id string) (store.Monitor, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.m[id]
	return m, ok
}

func (s *monitorSet) put(m store.Monitor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[m.ID] = m
}

func (s *monitorSet) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

func (s *monitorSet) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// all returns every monitor ordered by id (creation order).
func (s *monitorSet) all() []store.Monitor {
	s.mu.RLock()
	out := make([]store.Monitor, 0, len(s.m))
	for _, m := range s.m {
		out = append(out, m)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

// idLess orders numeric ids numerically, anything else as strings.
func idLess(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}
