package server

import (
	"github.com/vigil-monitor/vigil/store"
)

// The web pages change policies and accept changes through the same
// functions as the JSON API (server/api_fim*.go), so both check input
// alike, audit alike and tell the gateway and the FIM monitors alike.
// This file is the pages' one seam to them.

// webFIMSave validates in and creates a policy (id "") or updates policy
// id; mistakes are fieldErrors or a 400 *apiError naming the API field
// ("paths[2]").
func (s *Server) webFIMSave(id string, in fimPolicyInput, by store.Actor) (store.FIMPolicy, error) {
	if id == "" {
		return s.createFIMPolicy(in, by)
	}
	return s.updateFIMPolicy(id, in, by)
}

// webFIMDelete deletes a policy.
func (s *Server) webFIMDelete(id string, by store.Actor) error {
	return s.deleteFIMPolicy(id, by)
}

// webFIMScan asks the policy's agents to scan now.
func (s *Server) webFIMScan(id string, by store.Actor) error {
	_, err := s.requestFIMScan(id, by)
	return err
}

// webFIMAccept accepts the changes with ids and returns how many it
// closed.
func (s *Server) webFIMAccept(ids []string, note string, by store.Actor) (int, error) {
	out, err := s.acceptFIMChanges(fimAcceptInput{IDs: ids, Note: note}, by)
	return out.Accepted, err
}

// webFIMAcceptPolicy accepts every open change of a policy on agentID
// ("" every agent) up to the change through, and says how many it
// accepted and how many newer ones it left open.
func (s *Server) webFIMAcceptPolicy(policyID, agentID, through, note string, by store.Actor) (accepted, newer int, err error) {
	out, err := s.acceptFIMChanges(fimAcceptInput{Policy: policyID, Agent: agentID, All: true, Through: through, Note: note}, by)
	if out.Newer != nil {
		newer = *out.Newer
	}
	return out.Accepted, newer, err
}

// webFIMNewestOpen is the id of policyID's newest open change, "" when
// none is open: what the policy's page shows, so "Accept all" accepts
// nothing newer.
func (s *Server) webFIMNewestOpen(policyID string) (string, error) {
	open := true
	cs, err := s.db.FIMChanges(store.FIMChangeQuery{PolicyID: policyID, Open: &open, Limit: 1})
	if err != nil || len(cs) == 0 {
		return "", err
	}
	return cs[0].ID, nil
}

// webFIMAgents are the agents of agents that pol's selectors pick, in
// the order given; revoked agents scan nothing.
func (s *Server) webFIMAgents(pol store.FIMPolicy, agents []store.Agent) []store.Agent {
	var out []store.Agent
	for _, a := range agents {
		if a.RevokedAt == nil && fimApplies(pol.Agents, a) {
			out = append(out, a)
		}
	}
	return out
}

// webFIMStock are the stock policies a new one may start from.
func (s *Server) webFIMStock() []store.FIMPolicy {
	return fimStockAsPolicies()
}

// webFIMStockPolicy is the stock policy with id.
func (s *Server) webFIMStockPolicy(id string) (store.FIMPolicy, bool) {
	for _, p := range s.webFIMStock() {
		if p.ID == id {
			return p, true
		}
	}
	return store.FIMPolicy{}, false
}
