package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// spareStepRows is how many empty step rows the policy form offers below
// the filled ones, so that steps are added without JavaScript.
const spareStepRows = 2

func (s *Server) handleEscalationsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.escalationsProps(s.pageFor(w, r, rc, "Escalation policies", "notifications"), rc)
	if err != nil {
		return err
	}
	p.Form = policyFormWithRows(ui.PolicyForm{})
	s.render(w, r, http.StatusOK, ui.EscalationsPage(p))
	return nil
}

func (s *Server) handleEscalationEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.findPolicy(r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.escalationsProps(s.pageFor(w, r, rc, "Edit escalation policy", "notifications"), rc)
	if err != nil {
		return err
	}
	f := ui.PolicyForm{ID: pol.ID, Name: pol.Name}
	for _, st := range pol.Steps {
		f.Steps = append(f.Steps, ui.StepForm{After: strconv.Itoa(int(st.After.Minutes())), Targets: st.Targets})
	}
	p.Form = policyFormWithRows(f)
	s.render(w, r, http.StatusOK, ui.EscalationsPage(p))
	return nil
}

// escalationsProps fills the policies screen.
func (s *Server) escalationsProps(pg ui.Page, rc *reqCtx) (ui.EscalationsProps, error) {
	p := ui.EscalationsProps{Page: pg, CanEdit: canEdit(rc), CanAdmin: canAdmin(rc)}
	dir, err := s.loadDirectory()
	if err != nil {
		return p, err
	}
	routes, err := s.db.Routes()
	if err != nil {
		return p, err
	}
	used := map[string]int{}
	for _, m := range s.monitors.all() {
		used[m.Escalation]++
	}
	for _, rt := range routes {
		used[rt.Escalation]++
	}
	for _, pol := range dir.policies {
		row := ui.PolicyRow{ID: pol.ID, Name: pol.Name, UsedBy: used[pol.ID]}
		for _, st := range pol.Steps {
			row.Steps = append(row.Steps, ui.StepRow{After: st.After, Targets: dir.targetNames(st.Targets)})
		}
		p.Policies = append(p.Policies, row)
	}
	p.TargetOptions = dir.targetOptions()
	return p, nil
}

// policyFormWithRows adds empty step rows: at least three in all.
func policyFormWithRows(f ui.PolicyForm) ui.PolicyForm {
	n := max(len(f.Steps)+spareStepRows, 3)
	for len(f.Steps) < n && len(f.Steps) < maxSteps {
		f.Steps = append(f.Steps, ui.StepForm{})
	}
	return f
}

// policyFormValues reads the policy form: every step row as typed.
func policyFormValues(r *http.Request) ui.PolicyForm {
	f := ui.PolicyForm{ID: r.PathValue("id"), Name: r.PostFormValue("name")}
	for i := range maxSteps {
		after := r.PostFormValue(stepFormField(i, "after"))
		targets := r.PostForm[stepFormField(i, "targets")]
		if _, present := r.PostForm[stepFormField(i, "after")]; !present && targets == nil {
			break
		}
		f.Steps = append(f.Steps, ui.StepForm{After: after, Targets: targets})
	}
	return f
}

func stepFormField(i int, part string) string {
	return "steps." + strconv.Itoa(i) + "." + part
}

// policyInputFromForm turns the filled rows into the API's input; rows
// without targets and without a delay are spare ones and are skipped.
// rows maps each step of the input back to its form row, for errors.
func policyInputFromForm(f ui.PolicyForm) (policyInput, []int, error) {
	in := policyInput{Name: f.Name}
	var rows []int
	for i, st := range f.Steps {
		after := strings.TrimSpace(st.After)
		if len(st.Targets) == 0 && (after == "" || after == "0") {
			continue
		}
		if n, err := strconv.Atoi(after); err == nil {
			if n < 0 {
				return in, rows, badRequest(stepFormField(i, "after"), "after is a number of minutes, 0 or more")
			}
			after = strconv.Itoa(n) + "m"
		}
		in.Steps = append(in.Steps, stepInput{After: after, Targets: st.Targets})
		rows = append(rows, i)
	}
	return in, rows, nil
}

// handlePolicyForm creates (POST /escalations) or saves (POST
// /escalations/{id}) a policy.
func (s *Server) handlePolicyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := policyFormValues(r)
	in, rows, err := policyInputFromForm(form)
	var pol store.EscalationPolicy
	if err == nil {
		pol, err = s.savePolicy(form.ID, in, rc.actor())
	}
	if err == nil {
		s.redirectWithFlash(w, r, "/escalations", "Escalation policy "+quote(pol.Name)+" saved.")
		return nil
	}
	errs, ok := formErrors(err, func(f string) string { return stepRowField(f, rows) })
	if !ok {
		return err
	}
	p, perr := s.escalationsProps(s.page("Escalation policies", rc.user.Username, rc.session.CSRFToken, "notifications"), rc)
	if perr != nil {
		return perr
	}
	form.Errors = errs
	p.Form = policyFormWithRows(trimSpareRows(form))
	s.render(w, r, http.StatusBadRequest, ui.EscalationsPage(p))
	return nil
}

// stepRowField maps "steps.K.after" of the input to the form row it came
// from; "steps" (no step at all) goes beside the first row.
func stepRowField(field string, rows []int) string {
	if field == "steps" {
		return stepFormField(0, "targets")
	}
	var k int
	var part string
	if n, _ := fmt.Sscanf(strings.Replace(field, ".", " ", 2), "steps %d %s", &k, &part); n == 2 && k >= 0 && k < len(rows) {
		return stepFormField(rows[k], part)
	}
	return field
}

// trimSpareRows drops trailing empty rows before spare ones are added again.
func trimSpareRows(f ui.PolicyForm) ui.PolicyForm {
	for n := len(f.Steps); n > 0; n-- {
		st := f.Steps[n-1]
		if len(st.Targets) > 0 || strings.TrimSpace(st.After) != "" {
			break
		}
		_, afterErr := f.Errors[stepFormField(n-1, "after")]
		_, targetsErr := f.Errors[stepFormField(n-1, "targets")]
		if afterErr || targetsErr {
			break
		}
		f.Steps = f.Steps[:n-1]
	}
	return f
}

func (s *Server) handlePolicyDeleteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pol, err := s.deletePolicy(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/escalations", "Escalation policy "+quote(pol.Name)+" deleted.")
	return nil
}
