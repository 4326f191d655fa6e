package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// handleContactsPage shows contacts, groups and routes, with empty forms
// for a new group and a new route.
func (s *Server) handleContactsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.contactsProps(s.pageFor(w, r, rc, "Notifications", "notifications"), rc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, ui.ContactsPage(p))
	return nil
}

// contactsProps fills the contacts screen from the store.
func (s *Server) contactsProps(pg ui.Page, rc *reqCtx) (ui.ContactsProps, error) {
	p := ui.ContactsProps{Page: pg, CanEdit: canEdit(rc), CanAdmin: canAdmin(rc)}
	dir, err := s.loadDirectory()
	if err != nil {
		return p, err
	}
	groupsOf := map[string][]string{}
	for _, g := range dir.groups {
		var names []string
		for _, m := range g.Members {
			groupsOf[m] = append(groupsOf[m], g.Name)
			if c, ok := dir.contact(m); ok {
				names = append(names, c.Name)
			}
		}
		p.Groups = append(p.Groups, ui.GroupRow{ID: g.ID, Name: g.Name, Members: g.Members, MemberNames: names})
	}
	for _, c := range dir.contacts {
		row := ui.ContactRow{ID: c.ID, Name: c.Name, Type: c.Type, Title: c.Type, Summary: contactSummary(c),
			Groups: groupsOf[c.ID]}
		if p.CanEdit {
			// Viewers see where a contact sends (contactSummary), not how.
			_, row.SecretsSet = publicSettings(c)
		}
		if t, ok := notify.Lookup(c.Type); ok {
			row.Title = t.Title
		}
		p.Contacts = append(p.Contacts, row)
	}
	routes, err := s.db.Routes()
	if err != nil {
		return p, err
	}
	for _, rt := range routes {
		row := ui.RouteRow{ID: rt.ID, Name: rt.Name, Tags: rt.Tags, AgentLabels: rt.AgentLabels, Notify: rt.Notify,
			NotifyNames: dir.targetNames(rt.Notify), Escalation: rt.Escalation}
		if pol, ok := dir.policy(rt.Escalation); ok && rt.Escalation != "" {
			row.PolicyName = pol.Name
		}
		p.Routes = append(p.Routes, row)
	}
	p.ContactOptions, p.TargetOptions, p.PolicyOptions = dir.contactOptions(), dir.targetOptions(), dir.policyOptions()
	_, p.SMTPReady, err = s.currentSMTP()
	return p, err
}

// renderContacts shows the contacts screen after a form post, with what
// the caller set (a test result, a form with its errors).
func (s *Server) renderContacts(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, set func(*ui.ContactsProps)) error {
	p, err := s.contactsProps(s.page("Notifications", rc.user.Username, rc.session.CSRFToken, "notifications"), rc)
	if err != nil {
		return err
	}
	set(&p)
	s.render(w, r, status, ui.ContactsPage(p))
	return nil
}

// handleContactTestForm sends the contact a test message and shows the
// outcome in its row.
func (s *Server) handleContactTestForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.sendContactTest(r.Context(), r.PathValue("id"), rc)
	test := &ui.ContactTest{ContactID: c.ID, OK: err == nil, Message: "Sent. Check that it arrived."}
	status := http.StatusOK
	if err != nil {
		// The provider's answer and the rate limit are shown in the row.
		var ae *apiError
		if !errors.As(err, &ae) || (ae.Status != http.StatusBadGateway && ae.Status != http.StatusTooManyRequests) {
			return err
		}
		test.Message, status = capitalize(ae.Msg), ae.Status
		if ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Seconds()+0.999)))
		}
	}
	return s.renderContacts(w, r, rc, status, func(p *ui.ContactsProps) { p.Test = test })
}

func (s *Server) handleContactDeleteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.deleteContact(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/contacts", "Contact "+quote(c.Name)+" deleted.")
	return nil
}

// groupFormValues reads the group form.
func groupFormValues(r *http.Request) ui.GroupForm {
	return ui.GroupForm{ID: r.PathValue("id"), Name: r.PostFormValue("group_name"), Members: r.PostForm["members"]}
}

// renameGroupField puts the API's field names on the group form's.
func renameGroupField(f string) string {
	if f == "name" {
		return "group_name"
	}
	return f
}

func (s *Server) handleGroupEditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	g, err := s.findGroup(r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.contactsProps(s.pageFor(w, r, rc, "Edit group", "notifications"), rc)
	if err != nil {
		return err
	}
	p.GroupForm = ui.GroupForm{ID: g.ID, Name: g.Name, Members: g.Members}
	s.render(w, r, http.StatusOK, ui.ContactsPage(p))
	return nil
}

// handleGroupForm creates a group (POST /groups) or saves one
// (POST /groups/{id}).
func (s *Server) handleGroupForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := groupFormValues(r)
	in := groupInput{Name: form.Name, Members: form.Members}
	var g store.ContactGroup
	var err error
	if form.ID == "" {
		g, err = s.createGroup(in, rc.actor())
	} else {
		g, err = s.updateGroup(form.ID, in, rc.actor())
	}
	if err == nil {
		s.redirectWithFlash(w, r, "/contacts#groups", "Group "+quote(g.Name)+" saved.")
		return nil
	}
	errs, ok := formErrors(err, renameGroupField)
	if !ok {
		return err
	}
	form.Errors = errs
	return s.renderContacts(w, r, rc, http.StatusBadRequest, func(p *ui.ContactsProps) { p.GroupForm = form })
}

func (s *Server) handleGroupDeleteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	g, err := s.deleteGroup(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/contacts#groups", "Group "+quote(g.Name)+" deleted.")
	return nil
}

func routeFormValues(r *http.Request) ui.RouteForm {
	return ui.RouteForm{ID: r.PathValue("id"), Name: r.PostFormValue("route_name"), Tags: r.PostFormValue("tags"),
		AgentLabels: r.PostFormValue("agent_labels"), Notify: r.PostForm["notify"], Escalation: r.PostFormValue("escalation")}
}

func renameRouteField(f string) string {
	if f == "name" {
		return "route_name"
	}
	return f
}

func (s *Server) handleRouteEditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rt, err := s.findRoute(r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.contactsProps(s.pageFor(w, r, rc, "Edit route", "notifications"), rc)
	if err != nil {
		return err
	}
	p.RouteForm = ui.RouteForm{ID: rt.ID, Name: rt.Name, Tags: strings.Join(rt.Tags, ", "),
		AgentLabels: strings.Join(rt.AgentLabels, ", "), Notify: rt.Notify, Escalation: rt.Escalation}
	s.render(w, r, http.StatusOK, ui.ContactsPage(p))
	return nil
}

// handleRouteForm creates a route (POST /routes) or saves one
// (POST /routes/{id}).
func (s *Server) handleRouteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := routeFormValues(r)
	in := routeInput{Name: form.Name, Tags: splitList(form.Tags), AgentLabels: splitList(form.AgentLabels),
		Notify: form.Notify, Escalation: form.Escalation}
	rt, err := s.saveRoute(form.ID, in, rc.actor())
	if err == nil {
		s.redirectWithFlash(w, r, "/contacts#routes", "Route "+quote(rt.Name)+" saved.")
		return nil
	}
	errs, ok := formErrors(err, renameRouteField)
	if !ok {
		return err
	}
	form.Errors = errs
	return s.renderContacts(w, r, rc, http.StatusBadRequest, func(p *ui.ContactsProps) { p.RouteForm = form })
}

func (s *Server) handleRouteDeleteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rt, err := s.deleteRoute(r.PathValue("id"), rc.actor())
	if err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/contacts#routes", "Route "+quote(rt.Name)+" deleted.")
	return nil
}
