package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/gateway"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// handleFIMPage lists the file-integrity policies and, for editors, the
// "New policy" form; ?stock=ID fills the form with that stock policy.
// With ?partial=table (live refresh) it answers the table alone.
func (s *Server) handleFIMPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := webFIMNewForm()
	if id := r.URL.Query().Get("stock"); id != "" {
		stock, ok := s.webFIMStockPolicy(id)
		if !ok {
			return errStatus(http.StatusNotFound, "There is no stock policy "+quote(id)+".")
		}
		form = webFIMFormFromPolicy(stock, nil)
		// A stock policy's id names the template: the form makes a new
		// policy from it, never an edit of a policy with that id.
		form.ID = ""
	}
	p, err := s.webFIMPoliciesProps(s.pageFor(w, r, rc, "File integrity", "fim"), rc, form)
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("partial") == "table" {
		s.render(w, r, http.StatusOK, ui.FIMPolicyTable(p))
		return nil
	}
	s.render(w, r, http.StatusOK, ui.FIMPoliciesPage(p))
	return nil
}

// handleFIMPolicyCreate creates a policy from the form; a refused one
// comes back as typed with every mistake beside its field.
func (s *Server) handleFIMPolicyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := webFIMFormFrom(r.PostForm, "")
	p, errs, err := s.webFIMSaveForm(form, rc)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		s.redirectWithFlash(w, r, "/fim/policies/"+p.ID, "Policy "+quote(p.Name)+" created: its agents record their baseline at their next poll.")
		return nil
	}
	form.Errors = errs
	props, err := s.webFIMPoliciesProps(s.page("File integrity", rc.user.Username, rc.session.CSRFToken, "fim"), rc, form)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusBadRequest, ui.FIMPoliciesPage(props))
	return nil
}

// webFIMSaveForm creates (form.ID "") or updates a policy from the form.
// Mistakes come back by form field, every one the checks found, nil when
// it was saved; err is a failure that is not the input's (the store, an
// unknown policy).
func (s *Server) webFIMSaveForm(form ui.FIMPolicyForm, rc *reqCtx) (store.FIMPolicy, map[string]string, error) {
	in, lines, errs := webFIMFormPolicy(form)
	var saved store.FIMPolicy
	var err error
	if len(errs) > 0 {
		// Not saved: the API's checks still run, so every mistake shows.
		err = in.toFIMPolicy(&store.FIMPolicy{}, s.lookupAgent)
	} else if saved, err = s.webFIMSave(form.ID, in, rc.actor()); err == nil {
		return saved, nil, nil
	}
	var all []error
	var fe fieldErrors
	var ae *apiError
	switch {
	case errors.As(err, &fe):
		all = fe
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		all = []error{ae}
	case err == nil:
	default:
		return saved, nil, err
	}
	for _, e := range all {
		if errors.As(e, &ae) {
			name, msg := webFIMFormError(ae.Field, ae.Msg, lines)
			if _, taken := errs[name]; !taken {
				errs[name] = msg
			}
		}
	}
	return saved, errs, nil
}

// webFIMPoliciesProps fills the policies page with form as the New policy
// form.
func (s *Server) webFIMPoliciesProps(pg ui.Page, rc *reqCtx, form ui.FIMPolicyForm) (ui.FIMPoliciesProps, error) {
	p := ui.FIMPoliciesProps{Page: pg, CanEdit: roleRank(rc.user.Role) >= roleRank(roleEditor), Form: form, Attrs: webFIMAttrOptions()}
	policies, err := s.db.FIMPolicies()
	if err != nil {
		return p, err
	}
	agents, err := s.db.Agents()
	if err != nil {
		return p, err
	}
	now := time.Now()
	for _, pol := range policies {
		row, _, err := s.webFIMPolicyRow(pol, agents, now)
		if err != nil {
			return p, err
		}
		p.Policies = append(p.Policies, row)
	}
	slices.SortStableFunc(p.Policies, func(a, b ui.FIMPolicyRow) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	for _, st := range s.webFIMStock() {
		p.Stock = append(p.Stock, ui.Option{Value: st.ID, Label: st.Name})
	}
	p.AgentHint = webFIMAgentHint(agents)
	return p, nil
}

// webFIMPolicyRow sums what a policy's agents hold: objects baselined, the
// newest scan, the scans running and the open changes by severity. It
// returns the agents' rows too, for the policy's own page.
func (s *Server) webFIMPolicyRow(pol store.FIMPolicy, agents []store.Agent, now time.Time) (ui.FIMPolicyRow, []ui.FIMAgentRow, error) {
	names := make(map[string]string, len(agents))
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	row := ui.FIMPolicyRow{ID: pol.ID, Name: pol.Name, Agents: webFIMSelectorNames(pol.Agents, names), Paths: pol.Paths, Interval: formatDuration(pol.Interval)}
	states, err := s.db.FIMAgentStates(pol.ID)
	if err != nil {
		return row, nil, err
	}
	byAgent := make(map[string]store.FIMAgentState, len(states))
	for _, st := range states {
		byAgent[st.AgentID] = st
	}
	open, err := s.webFIMOpenBySeverity(pol.ID)
	if err != nil {
		return row, nil, err
	}
	var rows []ui.FIMAgentRow
	for _, a := range s.webFIMAgents(pol, agents) {
		ar := s.webFIMAgentRow(pol, a, byAgent[a.ID], open[a.ID], now)
		row.Resolved++
		row.Objects += ar.Objects
		if ar.LastScanAt.After(row.LastScan) {
			row.LastScan = ar.LastScanAt
		}
		if ar.Scan != nil {
			row.Scanning++
		}
		rows = append(rows, ar)
	}
	for _, c := range open {
		row.Open = webAddFIMCounts(row.Open, c)
	}
	return row, rows, nil
}

// webFIMAgentRow is one agent of a policy: its state, its open changes,
// the scan running now if any, and whether one should start soon.
func (s *Server) webFIMAgentRow(pol store.FIMPolicy, a store.Agent, st store.FIMAgentState, open ui.FIMCounts, now time.Time) ui.FIMAgentRow {
	row := ui.FIMAgentRow{
		AgentID: a.ID, AgentName: a.Name, Objects: st.Objects, Bytes: st.Bytes, BaselineAt: st.BaselineAt,
		LastScanAt: st.LastScanAt, ErrorCount: st.ErrorCount, Open: open,
	}
	for _, e := range st.Errors {
		row.Errors = append(row.Errors, ui.FIMScanError{Path: e.Path, Error: e.Error})
	}
	row.Notices = webFIMNotices(pol, a, st, now)
	if row.ErrorCount < uint64(len(row.Errors)) {
		row.ErrorCount = uint64(len(row.Errors))
	}
	if s.gateway == nil {
		return row
	}
	pr, seen := s.gateway.FIMProgress(pol.ID, a.ID)
	if seen && pr.Scanning {
		row.Scan = &ui.FIMScanProgress{
			Objects: pr.Objects, Bytes: pr.Bytes, Errors: pr.Errors,
			ObjectsPerSec: pr.ObjectsPerSecond, BytesPerSec: pr.BytesPerSecond, StartedAt: pr.StartedAt,
		}
		// The previous scan's count is where this one should end: known
		// for a normal scan, not for a new baseline.
		if !pr.Baseline && !st.BaselineAt.IsZero() {
			row.Scan.Expected = st.Objects
		}
		return row
	}
	lastReport := st.LastScanAt
	if seen && pr.UpdatedAt.After(lastReport) {
		lastReport = pr.UpdatedAt
	}
	row.ScanRecent = now.Sub(lastReport) < webFIMRecentScan
	row.ScanPending = webFIMScanPending(pol, st, pr, s.gateway.Online(a.ID), now)
	return row
}

// webFIMRecentScan is how long after a scan's last report its agent's
// row still refreshes often, so its final numbers show at once.
const webFIMRecentScan = 10 * time.Second

// webFIMPendingFor is how long after "Scan now" (or an edit) the page
// waits for the scan to start before it refreshes slowly again: an
// online agent starts within seconds, at its next poll; one that did not
// in this time is busy or going away, and the slow refresh shows it
// whenever it does.
const webFIMPendingFor = 2 * time.Minute

// webFIMScanPending tells whether a scan of pol should start within
// seconds on an agent that is not scanning: it is online and has no
// baseline yet, or the policy was changed (which "Scan now" does too,
// raising its scan request) after the agent's last scan started and not
// long ago. A change of the name alone counts as well: it only makes the
// page refresh often for a while.
func webFIMScanPending(pol store.FIMPolicy, st store.FIMAgentState, pr gateway.FIMProgress, online bool, now time.Time) bool {
	if !online {
		return false
	}
	if st.BaselineAt.IsZero() {
		return true
	}
	started := st.ScanStartedAt
	if pr.StartedAt.After(started) {
		started = pr.StartedAt
	}
	asked := pol.UpdatedAt // a change, or "Scan now"
	if pol.ScanRequestedAt.After(asked) {
		asked = pol.ScanRequestedAt
	}
	return asked.After(started) && now.Sub(asked) < webFIMPendingFor
}

// webFIMOpenBySeverity counts a policy's open changes per agent and severity.
func (s *Server) webFIMOpenBySeverity(policyID string) (map[string]ui.FIMCounts, error) {
	open := true
	changes, err := s.db.FIMChanges(store.FIMChangeQuery{PolicyID: policyID, Open: &open})
	if err != nil {
		return nil, err
	}
	out := map[string]ui.FIMCounts{}
	for _, c := range changes {
		n := out[c.AgentID]
		switch c.Severity {
		case store.FIMCritical:
			n.Critical++
		case store.FIMHigh:
			n.High++
		case store.FIMLow:
			n.Low++
		default:
			n.Medium++
		}
		out[c.AgentID] = n
	}
	return out, nil
}

func webAddFIMCounts(a, b ui.FIMCounts) ui.FIMCounts {
	return ui.FIMCounts{Critical: a.Critical + b.Critical, High: a.High + b.High, Medium: a.Medium + b.Medium, Low: a.Low + b.Low}
}

// webFIMAgentHint names the agents and labels there are, so a person
// filling the Agents field knows what to write.
func webFIMAgentHint(agents []store.Agent) string {
	var names, labels []string
	for _, a := range agents {
		if a.RevokedAt != nil {
			continue
		}
		names = append(names, a.Name)
		for _, l := range a.Labels {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
	}
	if len(names) == 0 {
		return "No agent has joined yet."
	}
	const shown = 10
	hint := "Agents now: " + strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		hint += " and more"
	}
	if len(labels) > 0 {
		slices.Sort(labels)
		hint += "; labels: " + strings.Join(labels[:min(len(labels), shown)], ", ")
	}
	return hint + "."
}

// webFIMNotices are the things about an agent's scans a person should
// look at besides its open changes.
func webFIMNotices(pol store.FIMPolicy, a store.Agent, st store.FIMAgentState, now time.Time) []string {
	var out []string
	if st.Reset != "" && !st.ResetAt.IsZero() {
		out = append(out, fmt.Sprintf("On %s %s.", st.ResetAt.UTC().Format("2006-01-02 15:04 UTC"), st.Reset))
	}
	if why := fimStale(pol, a, st, now); why != "" {
		out = append(out, why)
	}
	if st.Unrecorded > 0 {
		out = append(out, fmt.Sprintf("%d more changes were found but not recorded: too many are open. Accept the open ones to see new changes again.", st.Unrecorded))
	}
	if st.Refused > 0 {
		out = append(out, fmt.Sprintf("%d changes the agent reported were refused: their paths are outside this policy.", st.Refused))
	}
	return out
}
