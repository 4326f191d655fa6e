package gateway

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// handleRenew serves wire.PathRenew: a new certificate for the agent
// that asks, for the key in its CSR. The certificate it replaces stays
// valid until it expires or the agent is revoked.
func (g *Gateway) handleRenew(w http.ResponseWriter, r *http.Request, a store.Agent) error {
	var req wire.RenewRequest
	if err := decode(r, wire.MaxJoinBody, &req); err != nil {
		return err
	}
	if err := checkCSR(req.CSR); err != nil {
		return err
	}
	certPEM, serial, notAfter, err := g.cfg.CA.SignAgentCSR([]byte(req.CSR), a.ID, g.cfg.CertValidity)
	if err != nil {
		return fmt.Errorf("renew: sign certificate of agent %s: %w", a.ID, err)
	}
	a.CertSerial, a.CertNotAfter = serial, notAfter
	err = g.cfg.Store.UpdateAgent(&a, agentActor(a, peer(r)))
	if errors.Is(err, store.ErrAgentRevoked) {
		return failf(wire.CodeRevoked, "this agent was revoked")
	}
	if err != nil {
		return fmt.Errorf("renew: record certificate of agent %s: %w", a.ID, err)
	}
	g.log.Info("agent certificate renewed", "agent", a.ID, "name", a.Name, "not_after", notAfter)
	g.writeMessage(w, http.StatusOK, &wire.RenewResponse{Certificate: string(certPEM)})
	return nil
}
