package server

import (
	"context"

	"github.com/vigil-monitor/vigil/server/alerting"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
)

// initAlerting builds the dispatcher and hooks it to the engine: the
// engine asks it about maintenance windows, and tells it of every
// incident. Call it after the engine is built and before it applies
// anything.
func (s *Server) initAlerting() {
	s.dispatcher = alerting.New(alerting.Options{
		Store:     s.db,
		Send:      alerting.NewSender(s.seal, s.notifyEnv()),
		Monitor:   s.monitors.get,
		State:     func(id string) (engine.State, bool) { return s.engine.State(id) },
		PublicURL: s.publicURL,
		Signer:    s.ackSigner,
		Log:       s.log.With("part", "alerting"),
	})
	s.engine.SetMaintenance(s.dispatcher.InMaintenance)
	s.engine.Subscribe(s.dispatcher.OnEngineEvent)
}

// runAlerting sends notifications until stop is closed. stop must close
// only after the engine's last Apply (the ingest writer has returned), so
// the dispatcher queues every event it was told of before it returns.
func (s *Server) runAlerting(stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stop
		cancel()
	}()
	s.dispatcher.Run(ctx)
}

// acknowledged tells the dispatcher an incident was acknowledged: pending
// escalation steps stop and those already paged hear who took it.
func (s *Server) acknowledged(inc store.Incident) {
	s.dispatcher.Acknowledged(inc)
}
