package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/server/ingest"
	"github.com/vigil-monitor/vigil/server/live"
	"github.com/vigil-monitor/vigil/store"
)

// compactEvery is how often rollups are built and old data pruned.
const compactEvery = time.Minute

// startPipeline builds the scheduler → ingest → engine/live chain and
// loads every monitor into it.
func (s *Server) startPipeline() error {
	monitors, err := s.db.Monitors()
	if err != nil {
		return err
	}
	states, err := s.db.MonitorStates()
	if err != nil {
		return err
	}
	if err := s.reconcileIncidents(monitors, states); err != nil {
		return fmt.Errorf("reconcile incidents: %w", err)
	}
	s.monitors = newMonitorSet(monitors)
	fimPolicies, err := s.db.FIMPolicies()
	if err != nil {
		return err
	}
	s.fim, s.fimMonitors = newFIMSet(fimPolicies), newFIMMonitors()
	s.engine = engine.New(s.db, s.log.With("part", "engine"))
	s.engine.SetLocationNames(s.incidentLocationName)
	s.initAlerting()
	s.engine.Load(monitors, states)
	s.engine.Subscribe(s.logEvent)
	s.live = live.New()
	if err := s.live.Load(s.db, monitors, time.Now()); err != nil {
		return fmt.Errorf("load summaries: %w", err)
	}
	s.writer = ingest.New(s.db, s.log.With("part", "ingest"), ingest.Options{OnCommitted: s.committed})
	s.sched = scheduler.New(scheduler.Options{Location: serverLocation, Sink: s.submitScheduled}, s.log.With("part", "scheduler"))
	for _, m := range monitors {
		s.schedule(m, false)
	}
	return nil
}

// committed runs after each batch is on disk: only then do state and
// incidents move, so nothing is reported that a crash could take back.
func (s *Server) committed(batch []store.MonitorResult) {
	s.live.Observe(batch)
	s.engine.Apply(batch)
}

// schedule (re)starts m's job, or stops it when m is paused or runs
// elsewhere. A monitor whose settings no longer validate is not run and
// the reason is logged. One whose secrets do not open (another
// secret.key) runs a stand-in job that reports it, wherever it runs (see
// scheduleUndecryptable). soon asks for a first run within seconds.
//
// Secrets are opened here, once per change of the monitor: the checker
// keeps them, no run opens anything.
func (s *Server) schedule(m store.Monitor, soon bool) {
	if m.Paused {
		s.sched.Remove(m.ID)
		s.sched.Remove(undecryptableJob + m.ID)
		return
	}
	settings, err := openMonitorSettings(s.seal, m)
	if err != nil {
		s.scheduleUndecryptable(m, soon)
		return
	}
	s.sched.Remove(undecryptableJob + m.ID)
	if !runsOnServer(m) || serverResults(m.Type) {
		s.sched.Remove(m.ID)
		return
	}
	c, err := checks.New(m.Type, m.Target, settings)
	if err != nil {
		s.sched.Remove(m.ID)
		s.log.Warn("monitor not scheduled: invalid settings", "monitor", m.ID, "err", err)
		return
	}
	s.sched.Upsert(scheduler.Job{ID: m.ID, Target: m.Target, Interval: m.Interval, Timeout: m.Timeout, Checker: c, Soon: soon})
}

// serverResults reports whether the server makes the results of monitors
// of this type itself (fim): they are neither scheduled nor sent to agents.
func serverResults(kind string) bool {
	t, ok := checks.Lookup(kind)
	return ok && t.ServerResults
}

func runsOnServer(m store.Monitor) bool {
	for _, l := range m.Locations {
		if l == serverLocation {
			return true
		}
	}
	return false
}

// runPipeline starts the background loops; the returned channel reports
// a loop that stopped with an error before ctx ended.
func (s *Server) runPipeline(ctx context.Context, wg *sync.WaitGroup) <-chan error {
	failed := make(chan error, 1)
	schedCtx, stopSched := context.WithCancel(context.Background())
	wg.Add(3)
	go func() {
		defer wg.Done()
		s.sched.Run(schedCtx)
	}()
	go func() {
		// The writer outlives the scheduler: once every running check has
		// returned, it commits what they produced, then stops.
		defer wg.Done()
		<-ctx.Done()
		stopSched()
		s.sched.Wait()
		s.writer.Close()
	}()
	writerDone := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runAlerting(writerDone)
	}()
	go func() {
		defer wg.Done()
		defer close(writerDone)
		// The writer stops when Close is called above, after the
		// scheduler, so it never ends with results still queued.
		if err := s.writer.Run(context.Background()); err != nil {
			s.log.Error("ingest writer stopped", "err", err)
			select {
			case failed <- err:
			default:
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.housekeeping(ctx)
	}()
	return failed
}

// housekeeping builds rollups, prunes old data, and drops expired sessions.
func (s *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(compactEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			stats, err := s.db.Compact(ctx, now, store.DefaultRetention)
			if err != nil && ctx.Err() == nil {
				s.log.Error("compact", "err", err)
			}
			if stats.Broken > 0 {
				s.log.Warn("compact: corrupt series data moved aside or skipped", "broken", stats.Broken)
			}
			if _, err := s.db.DeleteExpiredSessions(now); err != nil {
				s.log.Error("delete expired sessions", "err", err)
			}
			if _, err := s.db.DeleteExpiredAPITokens(now); err != nil {
				s.log.Error("delete expired tokens", "err", err)
			}
		}
	}
}

// logEvent writes incidents to the log, so an operator reading it (or a
// log shipper) learns of them even before notifications are set up.
func (s *Server) logEvent(ev engine.Event) {
	switch ev.Kind {
	case engine.IncidentOpened:
		s.log.Warn("incident opened", "monitor", ev.MonitorID, "name", ev.MonitorName, "incident", ev.Incident.ID, "message", ev.Message)
	case engine.IncidentResolved:
		s.log.Info("incident resolved", "monitor", ev.MonitorID, "name", ev.MonitorName, "incident", ev.Incident.ID)
	}
}
