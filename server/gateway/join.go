package gateway

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// maxNameTries bounds the "-2", "-3"… suffixes tried for a taken name.
const maxNameTries = 100

// joinActor is the audit actor of an agent created by a join.
const joinActor = "agent-join"

// tokenErrors maps ConsumeJoinToken's errors to wire codes.
var tokenErrors = []struct {
	err  error
	code string
	msg  string
}{
	{store.ErrTokenInvalid, wire.CodeTokenInvalid, "the join token is not valid: check that it was copied whole"},
	{store.ErrTokenExpired, wire.CodeTokenExpired, "the join token has expired: create a new one"},
	{store.ErrTokenUsedUp, wire.CodeTokenUsedUp, "the join token has no uses left: create a new one"},
	{store.ErrTokenRevoked, wire.CodeTokenRevoked, "the join token was revoked"},
}

// handleJoin serves wire.PathJoin: it spends a use of the token, records
// the agent and signs its CSR.
func (g *Gateway) handleJoin(w http.ResponseWriter, r *http.Request) error {
	var req wire.JoinRequest
	if err := decode(r, wire.MaxJoinBody, &req); err != nil {
		return err
	}
	if err := checkCSR(req.CSR); err != nil {
		return err
	}
	now := g.cfg.Now()
	hash := sha256.Sum256([]byte(req.Secret))
	tok, err := g.cfg.Store.ConsumeJoinToken(req.TokenID, hash[:], now)
	if err != nil {
		return tokenError(err)
	}
	a := store.Agent{
		Hostname: req.Hostname, OS: req.OS, Arch: req.Arch, Version: req.Version,
		JoinTokenID: tok.ID, LastSeen: now.UTC(), Address: peer(r),
	}
	by := store.Actor{Username: joinActor, IP: peer(r)}
	if err := g.createAgent(&a, joinName(req), by); err != nil {
		return err
	}
	certPEM, serial, notAfter, err := g.cfg.CA.SignAgentCSR([]byte(req.CSR), a.ID, g.cfg.CertValidity)
	if err != nil {
		return fmt.Errorf("join: sign certificate of agent %s: %w", a.ID, err)
	}
	a.CertSerial, a.CertNotAfter = serial, notAfter
	if err := g.cfg.Store.UpdateAgent(&a, by); err != nil {
		return fmt.Errorf("join: record certificate of agent %s: %w", a.ID, err)
	}
	g.seen(a.ID, now)
	g.log.Info("agent joined", "agent", a.ID, "name", a.Name, "hostname", a.Hostname, "peer", peer(r), "join_token", tok.ID)
	g.writeMessage(w, http.StatusCreated, &wire.JoinResponse{
		AgentID: a.ID, Name: a.Name, Certificate: string(certPEM), CA: string(g.cfg.CA.CertPEM()),
	})
	return nil
}

// tokenError turns a ConsumeJoinToken error into its answer.
func tokenError(err error) error {
	for _, te := range tokenErrors {
		if errors.Is(err, te.err) {
			return failf(te.code, "%s", te.msg)
		}
	}
	return fmt.Errorf("join: consume token: %w", err)
}

// joinName is the name the agent asked for, else its hostname.
func joinName(req wire.JoinRequest) string {
	if req.Name != "" {
		return req.Name
	}
	return req.Hostname
}

// createAgent stores a under name, or under name-2, name-3… while the
// name is taken.
func (g *Gateway) createAgent(a *store.Agent, name string, by store.Actor) error {
	for i := 1; i <= maxNameTries; i++ {
		a.Name = suffixed(name, i)
		err := g.cfg.Store.CreateAgent(a, by)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("join: create agent: %w", err)
		}
	}
	return badField("name", fmt.Sprintf("no free agent name like %q: choose another with --name", name))
}

// suffixed returns name for i == 1 and name-i after, cut so the result
// stays within wire.MaxNameLen.
func suffixed(name string, i int) string {
	if i == 1 {
		return name
	}
	suffix := "-" + strconv.Itoa(i)
	if len(name)+len(suffix) > wire.MaxNameLen {
		name = cleanText(name[:wire.MaxNameLen-len(suffix)], wire.MaxNameLen)
	}
	return name + suffix
}
