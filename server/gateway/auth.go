package gateway

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// agentHandler handles a request of an agent whose certificate was
// checked; a is as the store holds it now.
type agentHandler func(w http.ResponseWriter, r *http.Request, a store.Agent) error

// withAgent runs h only for a request carrying a valid, unrevoked client
// certificate of a known agent.
func (g *Gateway) withAgent(h agentHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := g.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, a)
	}
}

// authenticate returns the agent the request's client certificate
// identifies, after the checks the package doc lists.
func (g *Gateway) authenticate(r *http.Request) (store.Agent, error) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return store.Agent{}, failf(wire.CodeUnknownAgent, "a client certificate from this server's CA is required: join first")
	}
	leaf := r.TLS.VerifiedChains[0][0]
	serial := pki.SerialString(leaf)
	if g.isRevoked(serial) {
		return store.Agent{}, failf(wire.CodeRevoked, "this agent's certificate was revoked")
	}
	a, err := g.cfg.Store.Agent(leaf.Subject.CommonName)
	if errors.Is(err, store.ErrNotFound) {
		return store.Agent{}, failf(wire.CodeUnknownAgent, "the certificate names no agent this server knows")
	}
	if err != nil {
		return store.Agent{}, fmt.Errorf("look up agent: %w", err)
	}
	if a.RevokedAt != nil {
		g.Revoke(serial)
		return store.Agent{}, failf(wire.CodeRevoked, "this agent was revoked")
	}
	if !holdsCert(a, serial) {
		return store.Agent{}, failf(wire.CodeUnknownAgent, "the certificate is not one this server issued to agent %s", a.ID)
	}
	return a, nil
}

// holdsCert reports whether serial is a's current certificate or one a
// renewal replaced (the agent may not have switched yet).
func holdsCert(a store.Agent, serial string) bool {
	if serial == a.CertSerial {
		return true
	}
	for _, c := range a.PreviousCerts {
		if c.Serial == serial {
			return true
		}
	}
	return false
}
