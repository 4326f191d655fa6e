package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// handleAgentsPage shows the CA fingerprint, the join tokens (to
// administrators) and the agents.
func (s *Server) handleAgentsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.agentsProps(s.pageFor(w, r, rc, "Agents", "agents"), rc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, ui.AgentsPage(p))
	return nil
}

// agentsProps fills the agents page from the store.
func (s *Server) agentsProps(pg ui.Page, rc *reqCtx) (ui.AgentsProps, error) {
	p := ui.AgentsProps{
		Page: pg, Fingerprint: s.ca.Fingerprint(),
		CanEdit:  roleRank(rc.user.Role) >= roleRank(roleEditor),
		CanAdmin: roleRank(rc.user.Role) >= roleRank(roleAdmin),
	}
	agents, err := s.db.Agents()
	if err != nil {
		return p, err
	}
	counts := s.monitorsPerAgent(agents)
	for _, a := range agents {
		p.Agents = append(p.Agents, ui.AgentRow{
			ID: a.ID, Name: a.Name, Hostname: a.Hostname, OS: a.OS, Arch: a.Arch, Version: a.Version,
			Status: s.agentStatus(a), Address: a.Address, Labels: a.Labels, LastSeen: a.LastSeen,
			Monitors: counts[a.ID],
		})
	}
	if !p.CanAdmin {
		return p, nil
	}
	tokens, err := s.db.JoinTokens()
	if err != nil {
		return p, err
	}
	now := time.Now()
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, ui.JoinTokenRow{
			ID: t.ID, Note: t.Note, Status: tokenStatus(t, now), CreatedBy: t.CreatedBy,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UsesLeft: t.UsesLeft, Used: t.Used,
		})
	}
	return p, nil
}

// monitorsPerAgent counts the monitors whose locations name each agent,
// by id or (as a gateway may match) by name.
func (s *Server) monitorsPerAgent(agents []store.Agent) map[string]int {
	byRef := make(map[string]string, 2*len(agents))
	for _, a := range agents {
		byRef[strings.ToLower(a.Name)] = a.ID
	}
	for _, a := range agents {
		byRef[a.ID] = a.ID
	}
	counts := map[string]int{}
	for _, m := range s.monitors.all() {
		seen := map[string]bool{}
		for _, l := range m.Locations {
			id, ok := byRef[l]
			if !ok {
				id, ok = byRef[strings.ToLower(l)]
			}
			if ok && !seen[id] {
				seen[id] = true
				counts[id]++
			}
		}
	}
	return counts
}

// handleJoinTokenForm creates a join token and shows the agents page
// with its command, once: the answer is never cached and the token is not
// put in a URL or a cookie.
func (s *Server) handleJoinTokenForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := ui.JoinTokenForm{TTL: r.PostFormValue("ttl"), Uses: r.PostFormValue("uses"), Note: r.PostFormValue("note")}
	in := joinTokenInput{TTL: form.TTL, Note: form.Note}
	var created *ui.NewJoinToken
	uses, err := formInt("uses", form.Uses)
	if err == nil {
		in.Uses = uses
		var t newJoinToken
		t, err = s.createJoinToken(in, rc.actor())
		if err == nil {
			created = &ui.NewJoinToken{ID: t.ID, Command: t.Command, ExpiresAt: t.ExpiresAt, UsesLeft: t.UsesLeft}
			form = ui.JoinTokenForm{}
		}
	}
	status := http.StatusCreated
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			return err
		}
		form.Errors = map[string]string{ae.Field: ae.Msg}
		status = http.StatusBadRequest
	}
	p, err := s.agentsProps(s.page("Agents", rc.user.Username, rc.session.CSRFToken, "agents"), rc)
	if err != nil {
		return err
	}
	p.NewToken, p.TokenForm = created, form
	s.render(w, r, status, ui.AgentsPage(p))
	return nil
}

// formInt reads an optional whole number from a form field.
func formInt(field, v string) (*int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, badRequest(field, "%s must be a whole number", field)
	}
	return &n, nil
}

func (s *Server) handleJoinTokenRevokeForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.revokeJoinToken(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/agents", "Join token revoked: no agent can join with it any more.")
	return nil
}

func (s *Server) handleAgentUpdateForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := r.PostFormValue("name")
	labels := strings.Split(r.PostFormValue("labels"), ",")
	a, err := s.updateAgent(r.PathValue("id"), agentInput{Name: &name, Labels: labels}, rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/agents", "Agent "+quote(a.Name)+" saved.")
	return nil
}

func (s *Server) handleAgentRevokeForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := s.revokeAgent(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/agents", "Agent "+quote(a.Name)+" revoked: its certificate is refused from now on.")
	return nil
}
