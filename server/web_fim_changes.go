package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// webFIMChangesPerPage is how many changes the change list shows at once.
const webFIMChangesPerPage = 100

// handleFIMChangesPage lists changes, newest first, filtered by policy,
// agent, severity, kind, state and a part of the path.
func (s *Server) handleFIMChangesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.webFIMChangesProps(s.pageFor(w, r, rc, "File integrity changes", "fim"), rc, r.URL.Query())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, ui.FIMChangesPage(p))
	return nil
}

// handleFIMChangesAccept accepts the ticked changes ("Accept selected")
// or every open one the page showed ("Accept all shown") with a note,
// then goes back to the list it came from. A refused acceptance comes
// back on that list, the ticks and the note kept.
func (s *Server) handleFIMChangesAccept(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	back := webFIMBack(r.PostFormValue("back"))
	ids := r.PostForm["id"]
	if r.PostFormValue("scope") == "shown" {
		ids = r.PostForm["shown"]
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	errs := map[string]string{}
	switch {
	case len(ids) == 0:
		errs["ids"] = "Tick the changes to accept, or use Accept all shown."
	case len(ids) > webFIMChangesPerPage:
		errs["ids"] = "At most 100 changes at a time from this page; on a policy's page, accept all of one agent at once."
	}
	if note == "" {
		errs["note"] = "Note: say why these changes are expected; it goes to the audit log"
	}
	if len(errs) == 0 {
		n, err := s.webFIMAccept(ids, note, rc.actor())
		var ae *apiError
		switch {
		case err == nil:
			s.redirectWithFlash(w, r, back.String(), plural(n, "change", "changes")+" accepted: they are the baseline now.")
			return nil
		case !errors.As(err, &ae) || ae.Status >= 500:
			return err
		case ae.Field == "note":
			errs["note"] = "Note: " + ae.Msg
		default:
			errs[""] = ae.Msg
		}
	}
	p, err := s.webFIMChangesProps(s.page("File integrity changes", rc.user.Username, rc.session.CSRFToken, "fim"), rc, back.Query())
	if err != nil {
		return err
	}
	p.Note, p.Selected, p.AcceptErrors = note, r.PostForm["id"], errs
	s.render(w, r, http.StatusBadRequest, ui.FIMChangesPage(p))
	return nil
}

// webFIMBack is the change list a form came from: only that page, with
// its query, never another site.
func webFIMBack(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || u.Path != "/fim/changes" || u.Host != "" || u.Scheme != "" {
		return &url.URL{Path: "/fim/changes"}
	}
	return &url.URL{Path: u.Path, RawQuery: u.RawQuery}
}

// webFIMChangesProps fills the change list for the filter in q.
func (s *Server) webFIMChangesProps(pg ui.Page, rc *reqCtx, q url.Values) (ui.FIMChangesProps, error) {
	f := ui.FIMChangeFilter{
		Policy: q.Get("policy"), Agent: q.Get("agent"), Severity: q.Get("severity"), Kind: q.Get("change"),
		State: q.Get("state"), Path: strings.TrimSpace(q.Get("path")),
	}
	p := ui.FIMChangesProps{Page: pg, CanEdit: roleRank(rc.user.Role) >= roleRank(roleEditor), Filter: f, Paged: q.Get("before") != ""}
	query := store.FIMChangeQuery{PolicyID: f.Policy, AgentID: f.Agent, Change: f.Kind, PathContains: f.Path,
		Before: q.Get("before"), Limit: webFIMChangesPerPage + 1}
	if slices.Contains(store.FIMSeverities, f.Severity) {
		query.Severity = f.Severity
	}
	if !slices.Contains([]string{fim.Added, fim.Removed, fim.Modified}, f.Kind) {
		query.Change = ""
	}
	switch f.State {
	case "all":
	case "accepted":
		open := false
		query.Open = &open
	default:
		open := true
		query.Open, p.Filter.State = &open, ""
	}
	changes, err := s.db.FIMChanges(query)
	if errors.Is(err, store.ErrNotFound) { // a cursor that is no id
		changes, err = nil, nil
	}
	if err != nil {
		return p, err
	}
	if len(changes) > webFIMChangesPerPage {
		changes = changes[:webFIMChangesPerPage]
		p.Older = changes[len(changes)-1].ID
	}
	policies, err := s.db.FIMPolicies()
	if err != nil {
		return p, err
	}
	agents, err := s.db.Agents()
	if err != nil {
		return p, err
	}
	policyNames, agentNames := map[string]string{}, map[string]string{}
	for _, pol := range policies {
		policyNames[pol.ID] = pol.Name
		p.Policies = append(p.Policies, ui.Option{Value: pol.ID, Label: pol.Name})
	}
	for _, a := range agents {
		agentNames[a.ID] = a.Name
		p.Agents = append(p.Agents, ui.Option{Value: a.ID, Label: a.Name})
	}
	for _, c := range changes {
		p.Changes = append(p.Changes, webFIMChangeRow(c, policyNames, agentNames))
	}
	return p, nil
}

func webFIMChangeRow(c store.FIMChange, policyNames, agentNames map[string]string) ui.FIMChangeRow {
	return ui.FIMChangeRow{
		ID: c.ID, PolicyID: c.PolicyID, PolicyName: policyNames[c.PolicyID], AgentID: c.AgentID, AgentName: agentNames[c.AgentID],
		Path: c.Path, Kind: c.Change, Attrs: c.Attrs, Severity: c.Severity, Before: webFIMObject(c.Before), After: webFIMObject(c.After),
		DetectedAt: c.DetectedAt, AcceptedAt: c.AcceptedAt, AcceptedBy: c.AcceptedBy, Note: c.Note,
	}
}

func webFIMObject(o *fim.Object) *ui.FIMObject {
	if o == nil {
		return nil
	}
	return &ui.FIMObject{Type: o.Type, SHA256: o.SHA256, Size: o.Size, Mode: o.Mode, UID: o.UID, GID: o.GID, MTime: o.MTime, Inode: o.Inode, Target: o.Target}
}
