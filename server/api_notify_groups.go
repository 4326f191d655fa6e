package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// groupInput is what POST and PUT /api/v1/contact-groups take; members
// are contacts by id or name. On PUT a field left out keeps its value.
type groupInput struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`

	ID        *json.RawMessage `json:"id,omitempty"`
	CreatedAt *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt *json.RawMessage `json:"updated_at,omitempty"`
}

type groupOutput struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Members   []string  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func groupView(g store.ContactGroup) groupOutput {
	return groupOutput{ID: g.ID, Name: g.Name, Members: nonNil(g.Members), CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC()}
}

// toGroup validates in and fills g. Members must be contacts: a group of
// groups would make who is paged hard to see.
func (in groupInput) toGroup(g *store.ContactGroup, dir *directory) error {
	var errs fieldErrors
	name, err := validRecordName(in.Name)
	errs.add(err)
	if len(in.Members) > maxGroupSize {
		errs.add(badRequest("members", "a group has at most %d members", maxGroupSize))
	}
	var members []string
	seen := map[string]bool{}
	for _, ref := range in.Members {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		id, ok := contactRef(dir, ref)
		if !ok {
			errs.add(badRequest("members", "unknown contact %q: members are contacts, by id or name", ref))
			break
		}
		if !seen[id] {
			seen[id] = true
			members = append(members, id)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	g.Name, g.Members = name, nonNil(members)
	return nil
}

// contactRef resolves a contact (not a group) by id or name.
func contactRef(dir *directory, ref string) (string, bool) {
	if c, ok := dir.contact(ref); ok {
		return c.ID, true
	}
	for _, c := range dir.contacts {
		if strings.EqualFold(c.Name, ref) {
			return c.ID, true
		}
	}
	return "", false
}

func (s *Server) findGroup(id string) (store.ContactGroup, error) {
	g, err := s.db.Group(id)
	if errors.Is(err, store.ErrNotFound) {
		return g, notFound("contact group", id)
	}
	return g, err
}

func (s *Server) createGroup(in groupInput, by store.Actor) (store.ContactGroup, error) {
	var g store.ContactGroup
	dir, err := s.loadDirectory()
	if err != nil {
		return g, err
	}
	if err := in.toGroup(&g, dir); err != nil {
		return g, err
	}
	if err := s.db.CreateGroup(&g, by); errors.Is(err, store.ErrConflict) {
		return g, conflict("contact group", g.Name)
	} else if err != nil {
		return g, err
	}
	return g, nil
}

func (s *Server) updateGroup(id string, in groupInput, by store.Actor) (store.ContactGroup, error) {
	g, err := s.findGroup(id)
	if err != nil {
		return g, err
	}
	dir, err := s.loadDirectory()
	if err != nil {
		return g, err
	}
	if err := in.toGroup(&g, dir); err != nil {
		return g, err
	}
	switch err := s.db.UpdateGroup(&g, by); {
	case errors.Is(err, store.ErrConflict):
		return g, conflict("contact group", g.Name)
	case errors.Is(err, store.ErrNotFound):
		return g, notFound("contact group", id)
	case err != nil:
		return g, err
	}
	return g, nil
}

func (s *Server) deleteGroup(id string, by store.Actor) (store.ContactGroup, error) {
	g, err := s.findGroup(id)
	if err != nil {
		return g, err
	}
	if err := s.db.DeleteGroup(id, by); errors.Is(err, store.ErrNotFound) {
		return g, notFound("contact group", id)
	} else if err != nil {
		return g, err
	}
	s.reloadMonitorsNaming(id)
	return g, nil
}

func (s *Server) handleAPIGroupList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.Groups()
	if err != nil {
		return err
	}
	out := make([]groupOutput, 0, len(list))
	for _, g := range list {
		out = append(out, groupView(g))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIGroupGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	g, err := s.findGroup(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupView(g))
	return nil
}

func (s *Server) handleAPIGroupCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in groupInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := s.createGroup(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, groupView(g))
	return nil
}

func (s *Server) handleAPIGroupUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	g, err := s.findGroup(r.PathValue("id"))
	if err != nil {
		return err
	}
	in := groupInput{Name: g.Name, Members: g.Members}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if g, err = s.updateGroup(g.ID, in, rc.actor()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupView(g))
	return nil
}

func (s *Server) handleAPIGroupDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.deleteGroup(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
