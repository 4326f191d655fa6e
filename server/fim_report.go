package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/store"
)

// commitFIMReport is the gateway's Config.FIMReport: it applies one
// report of agentID in one store transaction, severities from the
// policy's rules, and when the report opened changes it queues a new
// result for the agent's FIM monitor. A policy deleted or edited since the
// gateway checked the agent's assignments is gateway.ErrPolicyGone.
func (s *Server) commitFIMReport(ctx context.Context, agentID string, r *wire.FIMReport) error {
	p, ok := s.fim.get(r.PolicyID)
	if !ok {
		return gateway.ErrPolicyGone
	}
	applied, err := s.db.ApplyFIMReport(agentID, r, fimSeverity(p.Severity), time.Now())
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrFIMRevision):
		return fmt.Errorf("%w: %w", gateway.ErrPolicyGone, err)
	case err != nil:
		return err
	}
	if applied.Reset {
		s.log.Warn("file integrity: the agent's state was reset; its baseline is compared with the server's copy, and what differs becomes changes",
			"agent", agentID, "policy", r.PolicyID, "epoch", r.Epoch, "scan", r.Scan)
	}
	if len(applied.Changes) > 0 {
		s.fimChanged(agentID)
	}
	return nil
}
