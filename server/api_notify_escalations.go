package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// maxStepDelay bounds how late a step may page: an incident a day old
// that nobody acknowledged needs a person, not another step.
const maxStepDelay = 24 * time.Hour

// policyInput is what POST and PUT /api/v1/escalation-policies take.
type policyInput struct {
	Name  string      `json:"name"`
	Steps []stepInput `json:"steps"`

	ID        *json.RawMessage `json:"id,omitempty"`
	CreatedAt *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt *json.RawMessage `json:"updated_at,omitempty"`
}

// stepInput is one step: after how long, whom (contacts or groups, by
// id or name).
type stepInput struct {
	After   string   `json:"after"`
	Targets []string `json:"targets"`
}

type policyOutput struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Steps     []stepOutput `json:"steps"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type stepOutput struct {
	After   string   `json:"after"`
	Targets []string `json:"targets"`
}

func policyView(p store.EscalationPolicy) policyOutput {
	out := policyOutput{ID: p.ID, Name: p.Name, Steps: []stepOutput{}, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	for _, s := range p.Steps {
		out.Steps = append(out.Steps, stepOutput{After: formatDuration(s.After), Targets: nonNil(s.Targets)})
	}
	return out
}

func inputFromPolicy(p store.EscalationPolicy) policyInput {
	in := policyInput{Name: p.Name}
	for _, s := range p.Steps {
		in.Steps = append(in.Steps, stepInput{After: formatDuration(s.After), Targets: s.Targets})
	}
	return in
}

// toPolicy validates in and fills p; steps are stored in order of delay.
// Errors name the step: "steps.1.after".
func (in policyInput) toPolicy(p *store.EscalationPolicy, dir *directory) error {
	var errs fieldErrors
	name, err := validRecordName(in.Name)
	errs.add(err)
	switch {
	case len(in.Steps) == 0:
		errs.add(badRequest("steps", "a policy needs at least one step: after how long, whom to page"))
	case len(in.Steps) > maxSteps:
		errs.add(badRequest("steps", "a policy has at most %d steps", maxSteps))
	}
	var steps []store.EscalationStep
	for i, st := range in.Steps {
		if i >= maxSteps {
			break
		}
		field := fmt.Sprintf("steps.%d.", i)
		after, err := parseStepDelay(field+"after", st.After)
		errs.add(err)
		targets, err := dir.targets(field+"targets", st.Targets)
		errs.add(err)
		if err == nil && len(targets) == 0 {
			errs.add(badRequest(field+"targets", "step %d pages nobody: name at least one contact or group", i+1))
		}
		steps = append(steps, store.EscalationStep{After: after, Targets: targets})
	}
	if len(errs) > 0 {
		return errs
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].After < steps[j].After })
	p.Name, p.Steps = name, steps
	return nil
}

func parseStepDelay(field, s string) (time.Duration, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	d, err := parseDuration(field, s, 0, 0, maxStepDelay)
	if err != nil {
		return 0, badRequest(field, "after must be a duration from 0 to 24h, like \"0\", \"10m\" or \"1h\"")
	}
	return d, nil
}

func (s *Server) findPolicy(id string) (store.EscalationPolicy, error) {
	p, err := s.db.EscalationPolicy(id)
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound("escalation policy", id)
	}
	return p, err
}

func (s *Server) savePolicy(id string, in policyInput, by store.Actor) (store.EscalationPolicy, error) {
	var p store.EscalationPolicy
	if id != "" {
		var err error
		if p, err = s.findPolicy(id); err != nil {
			return p, err
		}
	}
	dir, err := s.loadDirectory()
	if err != nil {
		return p, err
	}
	if err := in.toPolicy(&p, dir); err != nil {
		return p, err
	}
	if id == "" {
		err = s.db.CreateEscalationPolicy(&p, by)
	} else {
		err = s.db.UpdateEscalationPolicy(&p, by)
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return p, conflict("escalation policy", p.Name)
	case errors.Is(err, store.ErrNotFound):
		return p, notFound("escalation policy", id)
	}
	return p, err
}

func (s *Server) deletePolicy(id string, by store.Actor) (store.EscalationPolicy, error) {
	p, err := s.findPolicy(id)
	if err != nil {
		return p, err
	}
	if err := s.db.DeleteEscalationPolicy(id, by); errors.Is(err, store.ErrNotFound) {
		return p, notFound("escalation policy", id)
	} else if err != nil {
		return p, err
	}
	s.reloadMonitorsNaming(id)
	return p, nil
}

func (s *Server) handleAPIPolicyList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.EscalationPolicies()
	if err != nil {
		return err
	}
	out := make([]policyOutput, 0, len(list))
	for _, p := range list {
		out = append(out, policyView(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIPolicyGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.findPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyView(p))
	return nil
}

func (s *Server) handleAPIPolicyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in policyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.savePolicy("", in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, policyView(p))
	return nil
}

func (s *Server) handleAPIPolicyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.findPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	// Steps are decoded into a fresh slice: decoding into the stored ones
	// would merge a sent step into the old step at its index.
	in := inputFromPolicy(p)
	oldSteps := in.Steps
	in.Steps = nil
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Steps == nil {
		in.Steps = oldSteps
	}
	if p, err = s.savePolicy(p.ID, in, rc.actor()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyView(p))
	return nil
}

func (s *Server) handleAPIPolicyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.deletePolicy(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
