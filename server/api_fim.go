package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/store"
)

// fimPolicyOutput is a file-integrity policy as the API shows it, with
// where it stands on each of its agents.
type fimPolicyOutput struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// AgentSelectors are the policy's agents as stored: agent ids and
	// label selectors.
	AgentSelectors  []string          `json:"agent_selectors"`
	Paths           []string          `json:"paths"`
	Exclude         []string          `json:"exclude"`
	Attributes      []string          `json:"attributes"` // empty: all
	Interval        string            `json:"interval"`
	Severity        []fimSeverityRule `json:"severity"`
	FullRehashEvery int               `json:"full_rehash_every"`
	IOLimitMBps     int               `json:"io_limit_mbps"`
	ScanRequest     uint64            `json:"scan_request"`
	ScanRequestedAt *time.Time        `json:"scan_requested_at"` // null until "scan now"
	Revision        string            `json:"revision"`
	OpenChanges     int               `json:"open_changes"`
	Agents          []fimAgentOutput  `json:"agents"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

// fimAgentOutput is where a policy stands on one agent.
type fimAgentOutput struct {
	AgentID   string `json:"agent_id"`
	AgentName string `json:"agent_name"`
	// Assigned is false for an agent the policy no longer picks that
	// still has open changes of it.
	Assigned      bool                 `json:"assigned"`
	Online        bool                 `json:"online"`
	Objects       uint64               `json:"objects"` // in the baseline as the server holds it
	Bytes         uint64               `json:"bytes"`
	LastScan      uint64               `json:"last_scan"`
	LastScanAt    *time.Time           `json:"last_scan_at"`
	BaselineAt    *time.Time           `json:"baseline_at"`
	ScanStartedAt *time.Time           `json:"scan_started_at"`
	Scanning      bool                 `json:"scanning"`
	Progress      *gateway.FIMProgress `json:"progress"` // the latest scan seen since the server started; null before
	OpenChanges   int                  `json:"open_changes"`
	Errors        []fim.ScanError      `json:"errors"` // the last scan's, at most 100
	ErrorCount    uint64               `json:"error_count"`
	// RootErrors are the last scan's errors on a policy path itself.
	RootErrors []fim.ScanError `json:"root_errors"`
	// StateResetAt and StateReset: the agent lost its local state and its
	// new baseline was compared with the server's copy (null, "": never).
	StateResetAt *time.Time `json:"state_reset_at"`
	StateReset   string     `json:"state_reset,omitempty"`
	// Comparing: such a baseline is under way.
	Comparing bool `json:"comparing"`
	// UnrecordedChanges were found while the cap of open changes was
	// reached: the baseline holds them, no record lists them.
	UnrecordedChanges uint64 `json:"unrecorded_changes"`
	// RefusedChanges named paths the policy does not cover: ignored.
	RefusedChanges uint64 `json:"refused_changes"`
	// Stale says why the scans are late or failing ("" when they are not).
	Stale string `json:"stale,omitempty"`
}

// fimPolicyView is p with its agents' states, for the API and the pages.
func (s *Server) fimPolicyView(p store.FIMPolicy) (fimPolicyOutput, error) {
	agents, err := s.db.Agents()
	if err != nil {
		return fimPolicyOutput{}, err
	}
	return s.fimPolicyViewOf(p, agents)
}

// fimPolicyViewOf is fimPolicyView with every agent read already.
func (s *Server) fimPolicyViewOf(p store.FIMPolicy, agents []store.Agent) (fimPolicyOutput, error) {
	out := fimPolicyOutput{
		ID: p.ID, Name: p.Name, AgentSelectors: nonNil(p.Agents), Paths: nonNil(p.Paths), Exclude: nonNil(p.Exclude),
		Attributes: nonNil(p.Attributes), Interval: formatDuration(p.Interval), Severity: []fimSeverityRule{},
		FullRehashEvery: p.FullRehashEvery, IOLimitMBps: p.IOLimitMBps, ScanRequest: p.ScanRequest, Revision: p.Revision,
		Agents: []fimAgentOutput{}, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if !p.ScanRequestedAt.IsZero() {
		at := p.ScanRequestedAt.UTC()
		out.ScanRequestedAt = &at
	}
	for _, r := range p.Severity {
		out.Severity = append(out.Severity, fimSeverityRule(r))
	}
	states, err := s.db.FIMAgentStates(p.ID)
	if err != nil {
		return out, err
	}
	byAgent := make(map[string]store.FIMAgentState, len(states))
	for _, st := range states {
		byAgent[st.AgentID] = st
	}
	for _, a := range agents {
		st := byAgent[a.ID]
		assigned := a.RevokedAt == nil && fimApplies(p.Agents, a)
		if !assigned && st.OpenChanges == 0 {
			continue
		}
		out.Agents = append(out.Agents, s.fimAgentView(p.ID, a, st, assigned))
		out.OpenChanges += st.OpenChanges
	}
	return out, nil
}

func (s *Server) fimAgentView(policyID string, a store.Agent, st store.FIMAgentState, assigned bool) fimAgentOutput {
	row := fimAgentOutput{
		AgentID: a.ID, AgentName: a.Name, Assigned: assigned, Online: a.RevokedAt == nil && s.agentOnline(a.ID),
		Objects: st.Objects, Bytes: st.Bytes, LastScan: st.LastScan,
		LastScanAt: timeOrNil(st.LastScanAt), BaselineAt: timeOrNil(st.BaselineAt), ScanStartedAt: timeOrNil(st.ScanStartedAt),
		OpenChanges: st.OpenChanges, Errors: st.Errors, ErrorCount: st.ErrorCount, RootErrors: st.RootErrors,
		StateResetAt: timeOrNil(st.ResetAt), StateReset: st.Reset, Comparing: st.Comparing,
		UnrecordedChanges: st.Unrecorded, RefusedChanges: st.Refused,
	}
	if row.Errors == nil {
		row.Errors = []fim.ScanError{}
	}
	if row.RootErrors == nil {
		row.RootErrors = []fim.ScanError{}
	}
	if p, ok := s.fim.get(policyID); ok && assigned {
		row.Stale = fimStale(p, a, st, time.Now())
	}
	if p, ok := s.gateway.FIMProgress(policyID, a.ID); ok {
		p.StartedAt, p.UpdatedAt = p.StartedAt.UTC(), p.UpdatedAt.UTC()
		row.Progress, row.Scanning = &p, p.Scanning
	}
	return row
}

func (s *Server) handleAPIFIMPolicyList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	all := s.fim.all()
	agents, err := s.db.Agents()
	if err != nil {
		return err
	}
	out := make([]fimPolicyOutput, 0, len(all))
	for _, p := range all {
		v, err := s.fimPolicyViewOf(p, agents)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIFIMPolicyGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.findFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeFIMPolicy(w, http.StatusOK, p)
}

func (s *Server) handleAPIFIMPolicyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in fimPolicyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.createFIMPolicy(in, rc.actor())
	if err != nil {
		return err
	}
	return s.writeFIMPolicy(w, http.StatusCreated, p)
}

func (s *Server) handleAPIFIMPolicyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.findFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromFIMPolicy(p)
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if p, err = s.updateFIMPolicy(p.ID, in, rc.actor()); err != nil {
		return err
	}
	return s.writeFIMPolicy(w, http.StatusOK, p)
}

func (s *Server) handleAPIFIMPolicyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.deleteFIMPolicy(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPIFIMPolicyScan(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.requestFIMScan(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": p.ID, "scan_request": p.ScanRequest})
	return nil
}

func (s *Server) writeFIMPolicy(w http.ResponseWriter, status int, p store.FIMPolicy) error {
	v, err := s.fimPolicyView(p)
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

func (s *Server) findFIMPolicy(id string) (store.FIMPolicy, error) {
	p, ok := s.fim.get(id)
	if !ok {
		return p, errStatus(http.StatusNotFound, "no file integrity policy has the id "+quote(id))
	}
	return p, nil
}

// createFIMPolicy validates, stores (audited) and assigns a policy.
func (s *Server) createFIMPolicy(in fimPolicyInput, by store.Actor) (store.FIMPolicy, error) {
	s.fim.writeMu.Lock()
	defer s.fim.writeMu.Unlock()
	var p store.FIMPolicy
	if err := in.toFIMPolicy(&p, s.lookupAgent); err != nil {
		return p, err
	}
	if err := s.db.CreateFIMPolicy(&p, by); err != nil {
		return p, err
	}
	s.fimPolicyChanged(p)
	return p, nil
}

// updateFIMPolicy validates and stores a policy (audited). A change of
// paths, exclude or attributes is a new revision: each agent's next scan
// is a new baseline.
func (s *Server) updateFIMPolicy(id string, in fimPolicyInput, by store.Actor) (store.FIMPolicy, error) {
	s.fim.writeMu.Lock()
	defer s.fim.writeMu.Unlock()
	p, err := s.findFIMPolicy(id)
	if err != nil {
		return p, err
	}
	if err := in.toFIMPolicy(&p, s.lookupAgent); err != nil {
		return p, err
	}
	if err := s.db.UpdateFIMPolicy(&p, by); errors.Is(err, store.ErrNotFound) {
		return p, errStatus(http.StatusNotFound, "no file integrity policy has the id "+quote(id))
	} else if err != nil {
		return p, err
	}
	s.fimPolicyChanged(p)
	return p, nil
}

// deleteFIMPolicy removes a policy with its baselines and changes
// (audited); the agents stop scanning it, and their FIM monitors are
// judged again without its changes.
func (s *Server) deleteFIMPolicy(id string, by store.Actor) error {
	s.fim.writeMu.Lock()
	defer s.fim.writeMu.Unlock()
	if _, err := s.findFIMPolicy(id); err != nil {
		return err
	}
	states, err := s.db.FIMAgentStates(id)
	if err != nil {
		return err
	}
	if err := s.db.DeleteFIMPolicy(id, by); errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "no file integrity policy has the id "+quote(id))
	} else if err != nil {
		return err
	}
	s.fim.remove(id)
	s.gateway.ForgetFIM(id)
	s.agentsChanged()
	s.fimMonitors.kick()
	for _, st := range states {
		if st.OpenChanges > 0 {
			s.fimChanged(st.AgentID)
		}
	}
	return nil
}

// requestFIMScan asks every agent of the policy to scan now (audited).
func (s *Server) requestFIMScan(id string, by store.Actor) (store.FIMPolicy, error) {
	s.fim.writeMu.Lock()
	defer s.fim.writeMu.Unlock()
	if _, err := s.findFIMPolicy(id); err != nil {
		return store.FIMPolicy{}, err
	}
	p, err := s.db.RequestFIMScan(id, by)
	if errors.Is(err, store.ErrNotFound) {
		return p, errStatus(http.StatusNotFound, "no file integrity policy has the id "+quote(id))
	} else if err != nil {
		return p, err
	}
	s.fimPolicyChanged(p)
	return p, nil
}

// fimPolicyChanged brings the in-memory parts in line with a stored
// policy: agents learn it at their next poll (held polls answer at once),
// and agents it now applies to get their FIM monitor.
func (s *Server) fimPolicyChanged(p store.FIMPolicy) {
	s.fim.put(p)
	s.agentsChanged()
	s.fimMonitors.kick()
}
