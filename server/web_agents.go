package server

import (
	"errors"
	"net/http"
	"slices"
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
	on := s.monitorsOnAgents(agents)
	now := time.Now()
	for _, a := range agents {
		p.Agents = append(p.Agents, s.agentRow(a, on[a.ID], now))
	}
	if !p.CanAdmin {
		return p, nil
	}
	tokens, err := s.db.JoinTokens()
	if err != nil {
		return p, err
	}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, ui.JoinTokenRow{
			ID: t.ID, Note: t.Note, Status: tokenStatus(t, now), CreatedBy: t.CreatedBy,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UsesLeft: t.UsesLeft, Used: t.Used,
		})
	}
	return p, nil
}

// agentRow is a as the agents page shows it at now, with the gateway's
// newer view of its last poll.
func (s *Server) agentRow(a store.Agent, monitors []ui.MonitorLink, now time.Time) ui.AgentRow {
	live := s.agentLive(a, now)
	row := ui.AgentRow{
		ID: a.ID, Name: a.Name, Hostname: a.Hostname, OS: a.OS, Arch: a.Arch, Version: a.Version,
		Status: live.status, Address: live.address, Labels: a.Labels, LastSeen: live.lastSeen,
		Monitors: monitors, Commands: a.Commands,
	}
	if live.spool != nil {
		row.Spool = &ui.AgentSpool{Pending: live.spool.Records, Bytes: live.spool.Bytes, Dropped: live.spool.Dropped}
	}
	return row
}

// monitorsOnAgents lists, for each agent, the monitors whose locations
// name it, by id or (as a gateway may match) by name; each list is sorted
// by name.
func (s *Server) monitorsOnAgents(agents []store.Agent) map[string][]ui.MonitorLink {
	byRef := make(map[string]string, 2*len(agents))
	for _, a := range agents {
		byRef[strings.ToLower(a.Name)] = a.ID
	}
	for _, a := range agents {
		byRef[a.ID] = a.ID
	}
	on := map[string][]ui.MonitorLink{}
	for _, m := range s.monitors.all() {
		seen := map[string]bool{}
		for _, l := range m.Locations {
			id, ok := byRef[l]
			if !ok {
				id, ok = byRef[strings.ToLower(l)]
			}
			if ok && !seen[id] {
				seen[id] = true
				on[id] = append(on[id], ui.MonitorLink{ID: m.ID, Name: m.Name})
			}
		}
	}
	for _, list := range on {
		slices.SortFunc(list, func(a, b ui.MonitorLink) int {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return on
}

// handleJoinTokenForm creates a join token and shows the agents page
// with its command, once: the answer is never cached and the token is not
// put in a URL or a cookie. A form with mistakes comes back as typed with
// every mistake beside its field.
func (s *Server) handleJoinTokenForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := ui.JoinTokenForm{TTL: r.PostFormValue("ttl"), Uses: r.PostFormValue("uses"), Note: r.PostFormValue("note")}
	var created *ui.NewJoinToken
	status := http.StatusBadRequest
	spec, errs := checkJoinTokenForm(form)
	if len(errs) == 0 {
		t, err := s.createJoinToken(spec, rc.actor(), r.Host)
		if err != nil {
			return err
		}
		created = &ui.NewJoinToken{ID: t.ID, Command: t.Command, ExpiresAt: t.ExpiresAt, UsesLeft: t.UsesLeft}
		form, status = ui.JoinTokenForm{}, http.StatusCreated
	}
	form.Errors = errs
	p, err := s.agentsProps(s.page("Agents", rc.user.Username, rc.session.CSRFToken, "agents"), rc)
	if err != nil {
		return err
	}
	p.NewToken, p.TokenForm = created, form
	s.render(w, r, status, ui.AgentsPage(p))
	return nil
}

// checkJoinTokenForm checks every field of the form and says what is
// wrong with each, named as the page names it; no errors means spec is
// the token to make.
func checkJoinTokenForm(f ui.JoinTokenForm) (joinTokenSpec, map[string]string) {
	errs := map[string]string{}
	spec := joinTokenSpec{uses: defaultTokenUses}
	var msg string
	if spec.ttl, msg = checkTokenTTL(f.TTL); msg != "" {
		errs["ttl"] = "Valid for: " + msg
	}
	if v := strings.TrimSpace(f.Uses); v != "" {
		n, err := strconv.Atoi(v)
		if msg = tokenUsesRule; err == nil {
			spec.uses, msg = n, checkTokenUses(n)
		}
		if msg != "" {
			errs["uses"] = "Uses: " + msg
		}
	}
	if spec.note, msg = checkTokenNote(f.Note); msg != "" {
		errs["note"] = "Note: " + msg
	}
	if len(errs) == 0 {
		return spec, nil
	}
	return spec, errs
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

// handleAgentUpdateForm renames an agent and sets its labels. A refused
// change comes back on the agents page, the form open in the agent's row
// as typed, with every mistake beside its field.
func (s *Server) handleAgentUpdateForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := ui.AgentForm{ID: r.PathValue("id"), Name: r.PostFormValue("name"), Labels: r.PostFormValue("labels")}
	name, labels := form.Name, strings.Split(form.Labels, ",")
	status := http.StatusBadRequest
	form.Errors = checkAgentForm(name, labels)
	if len(form.Errors) == 0 {
		a, err := s.updateAgent(form.ID, agentInput{Name: &name, Labels: labels}, rc.actor())
		var ae *apiError
		switch {
		case err == nil:
			s.redirectWithFlash(w, r, "/agents", "Agent "+quote(a.Name)+" saved.")
			return nil
		case !errors.As(err, &ae) || ae.Field == "":
			return err // an unknown agent, or the store failing: an error page
		}
		form.Errors, status = map[string]string{ae.Field: ae.Msg}, ae.Status
	}
	p, err := s.agentsProps(s.page("Agents", rc.user.Username, rc.session.CSRFToken, "agents"), rc)
	if err != nil {
		return err
	}
	p.AgentForm = form
	s.render(w, r, status, ui.AgentsPage(p))
	return nil
}

// checkAgentForm checks the name and the labels of a rename form, both,
// so all mistakes show at once; nil when there are none. Whether the name
// is taken only the store can tell.
func checkAgentForm(name string, labels []string) map[string]string {
	errs := map[string]string{}
	var ae *apiError
	if _, err := validAgentName(name); errors.As(err, &ae) {
		errs["name"] = ae.Msg
	}
	if _, err := validLabels(labels); errors.As(err, &ae) {
		errs["labels"] = ae.Msg
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (s *Server) handleAgentRevokeForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := s.revokeAgent(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/agents", "Agent "+quote(a.Name)+" revoked: its certificate is refused from now on.")
	return nil
}
