package server

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
)

// openedSettings keeps monitors' settings with their secrets opened
// between builds of the agents' assignment index, so a build opens only
// the monitors whose settings changed since the one before. Monitors
// without secrets are not kept: their settings are used as stored.
// The zero value is ready; it is not safe for concurrent use (the index
// holds its own lock while building).
type openedSettings struct {
	prev, cur map[string]openedEntry // monitor id → entry
}

type openedEntry struct {
	stored string          // the settings as stored, sealed
	opened json.RawMessage // nil when err is set
	err    error
}

// begin starts a build: what the build does not ask for again is dropped
// at the next begin, so the cache never holds deleted monitors for long.
func (o *openedSettings) begin() {
	o.prev, o.cur = o.cur, map[string]openedEntry{}
}

// open returns m's settings opened (see openMonitorSettings), from the
// previous build when they did not change.
func (o *openedSettings) open(box *seal.Box, m store.Monitor) (json.RawMessage, error) {
	if t, ok := checks.Lookup(m.Type); !ok || len(t.SecretNames()) == 0 {
		return m.Settings, nil
	}
	if o.cur == nil {
		o.begin()
	}
	e, ok := o.prev[m.ID]
	if !ok || e.stored != string(m.Settings) {
		e.stored = string(m.Settings)
		e.opened, e.err = openMonitorSettings(box, m)
	}
	o.cur[m.ID] = e
	return e.opened, e.err
}

// undecryptableJob prefixes the scheduler job that stands in for a
// monitor whose secrets do not open: it runs on the server whatever the
// monitor's locations, and its result is filed for each of them (see
// submitScheduled), so the monitor shows the problem wherever it runs
// rather than results stopping without a word. Monitor ids are numbers,
// so no monitor's own job has this prefix.
const undecryptableJob = "undecryptable:"

// undecryptableChecker reports errUndecryptable on every run.
type undecryptableChecker struct{}

var _ checks.Checker = undecryptableChecker{}

func (undecryptableChecker) Check(context.Context, string) checks.Result {
	return checks.Result{Status: checks.StatusProblem, Message: errUndecryptable.Error()}
}

// scheduleUndecryptable replaces m's checks by the stand-in job, and says
// so in the log: this happens once per start or change of the monitor.
func (s *Server) scheduleUndecryptable(m store.Monitor, soon bool) {
	s.sched.Remove(m.ID)
	s.log.Error("monitor not run: "+errUndecryptable.Error()+"; its checks report a problem until its secret settings are entered again",
		"monitor", m.ID, "name", m.Name)
	s.sched.Upsert(scheduler.Job{ID: undecryptableJob + m.ID, Interval: m.Interval, Timeout: m.Timeout,
		Checker: undecryptableChecker{}, Soon: soon})
}

// submitScheduled hands a result of the server's scheduler to the ingest
// writer; a stand-in job's result is filed once for each of the
// monitor's locations.
func (s *Server) submitScheduled(ctx context.Context, r scheduler.Result) error {
	id, standIn := strings.CutPrefix(r.MonitorID, undecryptableJob)
	if !standIn {
		return s.writer.Submit(ctx, store.MonitorResult{MonitorID: r.MonitorID, Result: r.Result})
	}
	m, ok := s.monitors.get(id)
	if !ok {
		return nil
	}
	for _, loc := range m.Locations {
		res := r.Result
		res.Location = loc
		if err := s.writer.Submit(ctx, store.MonitorResult{MonitorID: id, Result: res}); err != nil {
			return err
		}
	}
	return nil
}
