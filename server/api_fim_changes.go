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
// patch-day flow, up to the change through (the newest the person saw;
// absent: the newest when the request starts). The note is required.
type fimAcceptInput struct {
	IDs     []string `json:"ids"`
	Policy  string   `json:"policy"`
	Agent   string   `json:"agent"`
	All     bool     `json:"all"`
	Through string   `json:"through"`
	Note    string   `json:"note"`
}

// fimAcceptOutput says how many changes were accepted; for "all", also
// up to which change and how many newer ones were left open.
type fimAcceptOutput struct {
	Accepted int    `json:"accepted"`
	Through  string `json:"through,omitempty"`
	Newer    *int   `json:"newer,omitempty"`
}

func (s *Server) handleAPIFIMAccept(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in fimAcceptInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.acceptFIMChanges(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// acceptFIMChanges validates an acceptance, closes the changes (audited
// by the store with the note) and judges the agents' FIM monitors again.
func (s *Server) acceptFIMChanges(in fimAcceptInput, by store.Actor) (fimAcceptOutput, error) {
	note := strings.TrimSpace(in.Note)
	switch {
	case note == "":
		return fimAcceptOutput{}, badRequest("note", "a note is required: say why these changes are expected")
	case len(note) > maxFIMNoteLen:
		return fimAcceptOutput{}, badRequest("note", "a note has at most %d characters", maxFIMNoteLen)
	}
	if in.All {
		return s.acceptFIMPolicy(in, note, by)
	}
	switch {
	case len(in.IDs) == 0:
		return fimAcceptOutput{}, badRequest("ids", `ids must list the changes to accept, or send "policy" with "all":true`)
	case len(in.IDs) > maxFIMAcceptIDs:
		return fimAcceptOutput{}, badRequest("ids", "at most %d changes at once; accept a whole policy with \"all\":true", maxFIMAcceptIDs)
	case in.Policy != "" || in.Agent != "" || in.Through != "":
		return fimAcceptOutput{}, badRequest("all", `"policy", "agent" and "through" go with "all":true, not with ids`)
	}
	n, err := s.acceptFIMIDs(in.IDs, note, by)
	return fimAcceptOutput{Accepted: n}, err
}

// acceptFIMIDs accepts the changes with ids, each of which must exist.
func (s *Server) acceptFIMIDs(ids []string, note string, by store.Actor) (int, error) {
	agents := map[string]bool{}
	for i, id := range ids {
		c, err := s.db.FIMChange(id)
		if errors.Is(err, store.ErrNotFound) {
			return 0, badRequest(fmt.Sprintf("ids[%d]", i), "no file integrity change has the id %s", quote(shorten(id, 40)))
		} else if err != nil {
			return 0, err
		}
		agents[c.AgentID] = true
	}
	closed, err := s.db.AcceptFIMChanges(ids, note, by, time.Now())
	if err != nil {
		return 0, err
	}
	for agent := range agents {
		s.fimChanged(agent)
	}
	return len(closed), nil
}

// acceptFIMPolicy accepts every open change of a policy, on one agent or
// all, up to in.Through: after a planned update. Changes reported later
// stay open and are counted, so the person looks at them.
func (s *Server) acceptFIMPolicy(in fimAcceptInput, note string, by store.Actor) (fimAcceptOutput, error) {
	if len(in.IDs) > 0 {
		return fimAcceptOutput{}, badRequest("ids", `send either ids or "all":true, not both`)
	}
	if in.Policy == "" {
		return fimAcceptOutput{}, badRequest("policy", `"all":true accepts every open change of one policy: name it in "policy"`)
	}
	if _, ok := s.fim.get(in.Policy); !ok {
		return fimAcceptOutput{}, badRequest("policy", "no file integrity policy has the id %s", quote(shorten(in.Policy, 40)))
	}
	if in.Through != "" && !validFIMChangeID(in.Through) {
		return fimAcceptOutput{}, badRequest("through", "through must be a change id: the newest change you looked at")
	}
	agentID := ""
	if in.Agent != "" {
		a, ok := s.lookupAgent(in.Agent)
		if !ok {
			return fimAcceptOutput{}, badRequest("agent", "unknown agent %s: not the id or name of an agent", quote(shorten(in.Agent, 40)))
		}
		agentID = a.ID
	}
	states, err := s.db.FIMAgentStates(in.Policy)
	if err != nil {
		return fimAcceptOutput{}, err
	}
	res, err := s.db.AcceptFIMPolicyChangesThrough(store.FIMAcceptAll{PolicyID: in.Policy, AgentID: agentID, Through: in.Through, Note: note}, by, time.Now())
	// Changes may have closed even when a later chunk failed: judge the
	// monitors again either way.
	for _, st := range states {
		if st.OpenChanges > 0 && (agentID == "" || st.AgentID == agentID) {
			s.fimChanged(st.AgentID)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return fimAcceptOutput{}, badRequest("policy", "no file integrity policy has the id %s", quote(shorten(in.Policy, 40)))
	} else if err != nil {
		return fimAcceptOutput{}, err
	}
	return fimAcceptOutput{Accepted: res.Accepted, Through: res.Through, Newer: &res.Newer}, nil
}

// validFIMChangeID reports whether id has the form of a change id: a
// whole number from 1, without leading zeros.
func validFIMChangeID(id string) bool {
	n, err := strconv.ParseUint(id, 10, 64)
	return err == nil && n > 0 && strconv.FormatUint(n, 10) == id
}
