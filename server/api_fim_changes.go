package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/store"
)

// Limits of the change list and of an acceptance.
const (
	defaultFIMChangeLimit = 100
	maxFIMChangeLimit     = 1000
	maxFIMAcceptIDs       = 10000
	maxFIMNoteLen         = 2000
)

// fimChangeOutput is a change record as the API shows it.
type fimChangeOutput struct {
	ID         string      `json:"id"`
	PolicyID   string      `json:"policy_id"`
	AgentID    string      `json:"agent_id"`
	Path       string      `json:"path"`
	Change     string      `json:"change"`
	Attrs      []string    `json:"attrs"`
	Severity   string      `json:"severity"`
	Before     *fim.Object `json:"before"`
	After      *fim.Object `json:"after"`
	DetectedAt time.Time   `json:"detected_at"`
	AcceptedAt *time.Time  `json:"accepted_at"` // null while open
	AcceptedBy string      `json:"accepted_by,omitempty"`
	Note       string      `json:"note,omitempty"`
}

func fimChangeView(c store.FIMChange) fimChangeOutput {
	return fimChangeOutput{
		ID: c.ID, PolicyID: c.PolicyID, AgentID: c.AgentID, Path: c.Path, Change: c.Change, Attrs: nonNil(c.Attrs),
		Severity: c.Severity, Before: utcObject(c.Before), After: utcObject(c.After), DetectedAt: c.DetectedAt.UTC(),
		AcceptedAt: timeOrNil(c.AcceptedAt), AcceptedBy: c.AcceptedBy, Note: c.Note,
	}
}

func utcObject(o *fim.Object) *fim.Object {
	if o == nil {
		return nil
	}
	c := *o
	c.MTime = c.MTime.UTC()
	return &c
}

// handleAPIFIMChanges lists change records, newest first. Filters:
// policy, agent (id or name), open, severity, change, path (a part of
// it); limit (1–1000, default 100) and before (a change id: the next page
// starts below the last id of this one).
func (s *Server) handleAPIFIMChanges(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q, err := s.fimChangeQuery(r)
	if err != nil {
		return err
	}
	list, err := s.db.FIMChanges(q)
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("before", "before must be the id of a change")
	} else if err != nil {
		return err
	}
	out := make([]fimChangeOutput, 0, len(list))
	for _, c := range list {
		out = append(out, fimChangeView(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// fimChangeQuery reads the change list's filters, each a 400 naming the
// parameter when wrong.
func (s *Server) fimChangeQuery(r *http.Request) (store.FIMChangeQuery, error) {
	v := r.URL.Query()
	q := store.FIMChangeQuery{Limit: defaultFIMChangeLimit, Before: v.Get("before"), PathContains: v.Get("path")}
	if id := v.Get("policy"); id != "" {
		if _, ok := s.fim.get(id); !ok {
			return q, badRequest("policy", "no file integrity policy has the id %s", quote(id))
		}
		q.PolicyID = id
	}
	if ref := v.Get("agent"); ref != "" {
		a, ok := s.lookupAgent(ref)
		if !ok {
			return q, badRequest("agent", "unknown agent %s: not the id or name of an agent", quote(shorten(ref, 40)))
		}
		q.AgentID = a.ID
	}
	if open := v.Get("open"); open != "" {
		b, err := strconv.ParseBool(open)
		if err != nil {
			return q, badRequest("open", "open must be true or false")
		}
		q.Open = &b
	}
	if sev := v.Get("severity"); sev != "" {
		if !slices.Contains(store.FIMSeverities, sev) {
			return q, badRequest("severity", "severity must be %s", strings.Join(store.FIMSeverities, ", "))
		}
		q.Severity = sev
	}
	if ch := v.Get("change"); ch != "" {
		if ch != fim.Added && ch != fim.Removed && ch != fim.Modified {
			return q, badRequest("change", "change must be added, removed or modified")
		}
		q.Change = ch
	}
	if limit := v.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > maxFIMChangeLimit {
			return q, badRequest("limit", "limit must be a whole number from 1 to %d", maxFIMChangeLimit)
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) handleAPIFIMChangeGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.db.FIMChange(r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "no file integrity change has the id "+quote(r.PathValue("id")))
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fimChangeView(c))
	return nil
}

// fimAcceptInput is the body of POST /api/v1/fim/changes/accept: either
// ids, or a policy with all true (and optionally one agent) for the
// patch-day flow. The note is required.
type fimAcceptInput struct {
	IDs    []string `json:"ids"`
	Policy string   `json:"policy"`
	Agent  string   `json:"agent"`
	All    bool     `json:"all"`
	Note   string   `json:"note"`
}

// fimAcceptOutput says how many changes were accepted.
type fimAcceptOutput struct {
	Accepted int `json:"accepted"`
}

func (s *Server) handleAPIFIMAccept(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in fimAcceptInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.acceptFIMChanges(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fimAcceptOutput{Accepted: n})
	return nil
}

// acceptFIMChanges validates an acceptance, closes the changes (audited
// by the store with the note) and judges the agents' FIM monitors again.
func (s *Server) acceptFIMChanges(in fimAcceptInput, by store.Actor) (int, error) {
	note := strings.TrimSpace(in.Note)
	switch {
	case note == "":
		return 0, badRequest("note", "a note is required: say why these changes are expected")
	case len(note) > maxFIMNoteLen:
		return 0, badRequest("note", "a note has at most %d characters", maxFIMNoteLen)
	}
	if in.All {
		return s.acceptFIMPolicy(in, note, by)
	}
	switch {
	case len(in.IDs) == 0:
		return 0, badRequest("ids", `ids must list the changes to accept, or send "policy" with "all":true`)
	case len(in.IDs) > maxFIMAcceptIDs:
		return 0, badRequest("ids", "at most %d changes at once; accept a whole policy with \"all\":true", maxFIMAcceptIDs)
	case in.Policy != "" || in.Agent != "":
		return 0, badRequest("all", `"policy" and "agent" go with "all":true, not with ids`)
	}
	agents := map[string]bool{}
	for i, id := range in.IDs {
		c, err := s.db.FIMChange(id)
		if errors.Is(err, store.ErrNotFound) {
			return 0, badRequest(fmt.Sprintf("ids[%d]", i), "no file integrity change has the id %s", quote(shorten(id, 40)))
		} else if err != nil {
			return 0, err
		}
		agents[c.AgentID] = true
	}
	closed, err := s.db.AcceptFIMChanges(in.IDs, note, by, time.Now())
	if err != nil {
		return 0, err
	}
	for agent := range agents {
		s.fimChanged(agent)
	}
	return len(closed), nil
}

// acceptFIMPolicy accepts every open change of a policy, on one agent or
// all: after a planned update.
func (s *Server) acceptFIMPolicy(in fimAcceptInput, note string, by store.Actor) (int, error) {
	if len(in.IDs) > 0 {
		return 0, badRequest("ids", `send either ids or "all":true, not both`)
	}
	if in.Policy == "" {
		return 0, badRequest("policy", `"all":true accepts every open change of one policy: name it in "policy"`)
	}
	if _, ok := s.fim.get(in.Policy); !ok {
		return 0, badRequest("policy", "no file integrity policy has the id %s", quote(shorten(in.Policy, 40)))
	}
	agentID := ""
	if in.Agent != "" {
		a, ok := s.lookupAgent(in.Agent)
		if !ok {
			return 0, badRequest("agent", "unknown agent %s: not the id or name of an agent", quote(shorten(in.Agent, 40)))
		}
		agentID = a.ID
	}
	states, err := s.db.FIMAgentStates(in.Policy)
	if err != nil {
		return 0, err
	}
	n, err := s.db.AcceptFIMPolicyChanges(in.Policy, agentID, note, by, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return 0, badRequest("policy", "no file integrity policy has the id %s", quote(shorten(in.Policy, 40)))
	} else if err != nil {
		return 0, err
	}
	for _, st := range states {
		if st.OpenChanges > 0 && (agentID == "" || st.AgentID == agentID) {
			s.fimChanged(st.AgentID)
		}
	}
	return n, nil
}
