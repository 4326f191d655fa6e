package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// routeInput is what POST and PUT /api/v1/notify-routes take: a monitor
// carrying one of tags, or running on an agent with one of agent_labels,
// also notifies notify (contacts or groups by id or name) and, when the
// monitor has none of its own, follows escalation.
type routeInput struct {
	Name        string   `json:"name"`
	Tags        []string `json:"tags"`
	AgentLabels []string `json:"agent_labels"`
	Notify      []string `json:"notify"`
	Escalation  string   `json:"escalation"`

	ID        *json.RawMessage `json:"id,omitempty"`
	CreatedAt *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt *json.RawMessage `json:"updated_at,omitempty"`
}

type routeOutput struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Tags        []string  `json:"tags"`
	AgentLabels []string  `json:"agent_labels"`
	Notify      []string  `json:"notify"`
	Escalation  string    `json:"escalation"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func routeView(r store.NotifyRoute) routeOutput {
	return routeOutput{ID: r.ID, Name: r.Name, Tags: nonNil(r.Tags), AgentLabels: nonNil(r.AgentLabels),
		Notify: nonNil(r.Notify), Escalation: r.Escalation, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func inputFromRoute(r store.NotifyRoute) routeInput {
	return routeInput{Name: r.Name, Tags: r.Tags, AgentLabels: r.AgentLabels, Notify: r.Notify, Escalation: r.Escalation}
}

// toRoute validates in and fills r. A route must match something and do
// something: a tag or label, and a target or a policy.
func (in routeInput) toRoute(r *store.NotifyRoute, dir *directory) error {
	var errs fieldErrors
	name, err := validRecordName(in.Name)
	errs.add(err)
	tags, err := validTags(in.Tags)
	if err != nil {
		errs.add(err)
	} else if len(tags) > maxRouteTags {
		errs.add(badRequest("tags", "a route has at most %d tags", maxRouteTags))
	}
	labels, err := validTags(in.AgentLabels)
	if err != nil {
		errs.add(badRequest("agent_labels", "%s", strings.Replace(err.Error(), "a monitor has", "a route has", 1)))
	} else if len(labels) > maxRouteTags {
		errs.add(badRequest("agent_labels", "a route has at most %d agent labels", maxRouteTags))
	}
	if len(errs.about("tags")) == 0 && len(errs.about("agent_labels")) == 0 && len(tags) == 0 && len(labels) == 0 {
		errs.add(badRequest("tags", "a route needs at least one monitor tag or agent label to match"))
	}
	notify, err := dir.targets("notify", in.Notify)
	errs.add(err)
	policy, err := dir.escalation("escalation", in.Escalation)
	errs.add(err)
	if len(errs.about("notify")) == 0 && len(errs.about("escalation")) == 0 && len(notify) == 0 && policy == "" {
		errs.add(badRequest("notify", "a route needs at least one contact or group to notify, or an escalation policy"))
	}
	if len(errs) > 0 {
		return errs
	}
	r.Name, r.Tags, r.AgentLabels, r.Notify, r.Escalation = name, nonNil(tags), nonNil(labels), nonNil(notify), policy
	return nil
}

func (s *Server) findRoute(id string) (store.NotifyRoute, error) {
	list, err := s.db.Routes()
	if err != nil {
		return store.NotifyRoute{}, err
	}
	for _, r := range list {
		if r.ID == id {
			return r, nil
		}
	}
	return store.NotifyRoute{}, notFound("notification route", id)
}

func (s *Server) saveRoute(id string, in routeInput, by store.Actor) (store.NotifyRoute, error) {
	var r store.NotifyRoute
	if id != "" {
		var err error
		if r, err = s.findRoute(id); err != nil {
			return r, err
		}
	}
	dir, err := s.loadDirectory()
	if err != nil {
		return r, err
	}
	if err := in.toRoute(&r, dir); err != nil {
		return r, err
	}
	if id == "" {
		err = s.db.CreateRoute(&r, by)
	} else {
		err = s.db.UpdateRoute(&r, by)
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return r, conflict("notification route", r.Name)
	case errors.Is(err, store.ErrNotFound):
		return r, notFound("notification route", id)
	}
	return r, err
}

func (s *Server) deleteRoute(id string, by store.Actor) (store.NotifyRoute, error) {
	r, err := s.findRoute(id)
	if err != nil {
		return r, err
	}
	if err := s.db.DeleteRoute(id, by); errors.Is(err, store.ErrNotFound) {
		return r, notFound("notification route", id)
	} else if err != nil {
		return r, err
	}
	return r, nil
}

func (s *Server) handleAPIRouteList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.Routes()
	if err != nil {
		return err
	}
	out := make([]routeOutput, 0, len(list))
	for _, rt := range list {
		out = append(out, routeView(rt))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIRouteGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rt, err := s.findRoute(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, routeView(rt))
	return nil
}

func (s *Server) handleAPIRouteCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in routeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rt, err := s.saveRoute("", in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, routeView(rt))
	return nil
}

func (s *Server) handleAPIRouteUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rt, err := s.findRoute(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := inputFromRoute(rt)
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if rt, err = s.saveRoute(rt.ID, in, rc.actor()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, routeView(rt))
	return nil
}

func (s *Server) handleAPIRouteDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.deleteRoute(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
