package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// handleFIMPolicyPage shows one policy; ?partial=agents (live refresh)
// answers the agents card alone, and ?edit=1 opens the edit form.
func (s *Server) handleFIMPolicyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.webFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.webFIMPolicyProps(s.pageFor(w, r, rc, pol.Name, "fim"), rc, pol)
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("partial") == "agents" {
		s.render(w, r, http.StatusOK, ui.FIMAgentsCard(p))
		return nil
	}
	// The Edit button's link without JavaScript: the page comes with the
	// edit form open (fim.js opens it in place instead).
	p.EditOpen = r.URL.Query().Get("edit") == "1"
	s.render(w, r, http.StatusOK, ui.FIMPolicyPage(p))
	return nil
}

// handleFIMPolicyUpdate saves the edit form; a refused one comes back
// open on the policy's page, as typed, with its mistakes.
func (s *Server) handleFIMPolicyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	old, err := s.webFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	form := webFIMFormFrom(r.PostForm, old.ID)
	saved, errs, err := s.webFIMSaveForm(form, rc)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		msg := "Policy " + quote(saved.Name) + " saved."
		if saved.Revision != old.Revision {
			msg += " Its paths or attributes changed: the next scan on each agent records a new baseline."
		}
		s.redirectWithFlash(w, r, "/fim/policies/"+old.ID, msg)
		return nil
	}
	p, err := s.webFIMPolicyProps(s.page(old.Name, rc.user.Username, rc.session.CSRFToken, "fim"), rc, old)
	if err != nil {
		return err
	}
	form.Errors = errs
	p.Form = form
	s.render(w, r, http.StatusBadRequest, ui.FIMPolicyPage(p))
	return nil
}

func (s *Server) handleFIMPolicyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.webFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.webFIMDelete(pol.ID, rc.actor()); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/fim", "Policy "+quote(pol.Name)+" deleted: its agents forget its baselines.")
	return nil
}

func (s *Server) handleFIMPolicyScan(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.webFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.webFIMScan(pol.ID, rc.actor()); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/fim/policies/"+pol.ID, "Scan requested: each agent of "+quote(pol.Name)+" starts at its next poll, within seconds when it is online.")
	return nil
}

// handleFIMPolicyAccept is the patch-day flow: every open change of the
// policy on one agent (or all) is accepted with the note, up to the
// newest the page showed (the form's "through"); newer ones stay open.
func (s *Server) handleFIMPolicyAccept(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.webFIMPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	agentID, through, note := r.PostFormValue("agent"), r.PostFormValue("through"), strings.TrimSpace(r.PostFormValue("note"))
	var errs map[string]string
	if note == "" {
		errs = map[string]string{"note": "Note: say why these changes are expected; it goes to the audit log"}
	} else {
		n, newer, err := s.webFIMAcceptPolicy(pol.ID, agentID, through, note, rc.actor())
		var ae *apiError
		switch {
		case err == nil:
			s.redirectWithFlash(w, r, "/fim/policies/"+pol.ID, webFIMAcceptedAllFlash(n, newer))
			return nil
		case !errors.As(err, &ae) || ae.Status != http.StatusBadRequest:
			return err
		case ae.Field == "note":
			errs = map[string]string{"note": "Note: " + ae.Msg}
		default:
			errs = map[string]string{"": ae.Msg}
		}
	}
	p, err := s.webFIMPolicyProps(s.page(pol.Name, rc.user.Username, rc.session.CSRFToken, "fim"), rc, pol)
	if err != nil {
		return err
	}
	p.AcceptErrors, p.AcceptAgent = errs, agentID
	s.render(w, r, http.StatusBadRequest, ui.FIMPolicyPage(p))
	return nil
}

// webFIMAcceptedAllFlash says what a patch-day acceptance did, and why
// changes it left open are still open.
func webFIMAcceptedAllFlash(accepted, newer int) string {
	msg := plural(accepted, "change", "changes") + " accepted: they are the baseline now."
	switch {
	case newer == 1:
		msg += " 1 newer change stays open: it was reported after this page was shown, so you have not seen it. Look at it before accepting it."
	case newer > 1:
		msg += " " + plural(newer, "newer change", "newer changes") + " stay open: they were reported after this page was shown, so you have not seen them. Look at them before accepting them."
	}
	return msg
}

// webFIMPolicyProps fills a policy's page, with its edit form filled from
// the stored policy.
func (s *Server) webFIMPolicyProps(pg ui.Page, rc *reqCtx, pol store.FIMPolicy) (ui.FIMPolicyProps, error) {
	p := ui.FIMPolicyProps{
		Page: pg, CanEdit: roleRank(rc.user.Role) >= roleRank(roleEditor), Exclude: pol.Exclude,
		Attributes: pol.Attributes, FullRehashEvery: pol.FullRehashEvery, IOLimitMBps: pol.IOLimitMBps,
		Revision: pol.Revision, UpdatedAt: pol.UpdatedAt, Attrs: webFIMAttrOptions(),
	}
	if len(p.Attributes) == 0 {
		p.Attributes = []string{"all"}
	}
	// Read before the agents' open counts, so a change reported in
	// between is counted on the page but left out of "Accept all".
	through, err := s.webFIMNewestOpen(pol.ID)
	if err != nil {
		return p, err
	}
	p.AcceptThrough = through
	for _, r := range pol.Severity {
		p.Severity = append(p.Severity, ui.FIMSeverityRule{Pattern: r.Pattern, Severity: r.Severity})
	}
	agents, err := s.db.Agents()
	if err != nil {
		return p, err
	}
	names := make(map[string]string, len(agents))
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	p.Form = webFIMFormFromPolicy(pol, names)
	p.Policy, p.Agents, err = s.webFIMPolicyRow(pol, agents, time.Now())
	return p, err
}

// webFIMPolicy is the policy with id, or a 404 a person understands.
func (s *Server) webFIMPolicy(id string) (store.FIMPolicy, error) {
	pol, err := s.db.FIMPolicy(id)
	if errors.Is(err, store.ErrNotFound) {
		return pol, errStatus(http.StatusNotFound, "There is no file-integrity policy "+quote(id)+".")
	}
	return pol, err
}
