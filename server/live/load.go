package live

import (
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// Source is the part of the store Load reads.
type Source interface {
	// Rollups returns a monitor's rollups with since <= Start < until.
	Rollups(monitorID string, tier store.Tier, since, until time.Time) ([]store.Rollup, error)
	// Results returns a monitor's raw results, oldest first.
	Results(monitorID string, q store.ResultQuery) ([]checks.Result, error)
	// LastResults returns the newest result of every (monitor, location).
	LastResults() (map[string][]checks.Result, error)
	// MonitorStates returns the state engine's persisted states.
	MonitorStates() (map[string]store.MonitorState, error)
}

// rawTail is how far back Load reads raw results for hours that may not
// be rolled up yet (rollups are built by a periodic pass).
const rawTail = 2 * time.Hour

// Load fills the cache for monitors from src, as of now: statuses from the
// persisted states (paused monitors show as paused), the newest results,
// uptime from hour rollups plus raw results for the hours not rolled up
// yet, and the sparkline from the newest raw results. It replaces what
// the cache held for those monitors.
func (c *Cache) Load(src Source, monitors []store.Monitor, now time.Time) error {
	states, err := src.MonitorStates()
	if err != nil {
		return fmt.Errorf("live: load states: %w", err)
	}
	last, err := src.LastResults()
	if err != nil {
		return fmt.Errorf("live: load last results: %w", err)
	}
	loaded := make(map[string]*entry, len(monitors))
	for _, m := range monitors {
		e, err := loadOne(src, m.ID, now)
		if err != nil {
			return err
		}
		e.status = checks.StatusUnknown
		if s, ok := states[m.ID]; ok && s.Status != "" {
			e.status = s.Status
		}
		if m.Paused {
			e.status = checks.StatusPaused
		}
		for _, r := range last[m.ID] {
			e.setLast(r)
		}
		loaded[m.ID] = e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range loaded {
		c.entries[id] = e
	}
	return nil
}

// loadOne builds one monitor's uptime ring and sparkline.
func loadOne(src Source, id string, now time.Time) (*entry, error) {
	e := &entry{}
	nowHour := now.Truncate(time.Hour)
	rollups, err := src.Rollups(id, store.TierHour, nowHour.Add(-(ringHours-1)*time.Hour), nowHour)
	if err != nil {
		return nil, fmt.Errorf("live: load rollups of %s: %w", id, err)
	}
	// Raw results fill the hours after the newest hour rollup.
	rawSince := nowHour.Add(-rawTail)
	for _, r := range rollups {
		e.hours.add(hourOf(r.Start), bucket{up: r.OK + r.Warning, total: r.OK + r.Warning + r.Problem})
		if end := r.Start.Add(time.Hour); end.After(rawSince) {
			rawSince = end
		}
	}
	raw, err := src.Results(id, store.ResultQuery{Since: rawSince})
	if err != nil {
		return nil, fmt.Errorf("live: load results of %s: %w", id, err)
	}
	for _, r := range raw {
		if r.Status.Valid() {
			e.hours.add(hourOf(r.At), countOf(r.Status, 1))
		}
	}
	recent, err := src.Results(id, store.ResultQuery{Limit: SparkLen, Newest: true})
	if err != nil {
		return nil, fmt.Errorf("live: load recent results of %s: %w", id, err)
	}
	for _, r := range recent {
		e.pushSpark(r.LatencyMS)
	}
	e.hours.advance(hourOf(now))
	return e, nil
}
