package server

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/vigil-monitor/vigil/store"
)

// auditPage is where the UI shows one kind of record the audit log
// names, and how to tell whether a record of that kind still exists.
type auditPage struct {
	path  func(id string) string // the record's page; id is path-escaped
	get   func(s *Server, id string) error
	admin bool // the page is for administrators only
}

// auditPages are the kinds of record that have a page, by the kind the
// audit log names them with ("monitor:3"). Users and tokens have none.
var auditPages = map[string]auditPage{
	"monitor": {path: func(id string) string { return "/monitors/" + id }, get: func(s *Server, id string) error {
		if _, ok := s.monitors.get(id); !ok {
			return store.ErrNotFound
		}
		return nil
	}},
	"agent": {path: func(id string) string { return "/agents#agent-" + id }, get: func(s *Server, id string) error {
		_, err := s.db.Agent(id)
		return err
	}},
	"contact": {path: func(id string) string { return "/contacts/" + id + "/edit" }, get: func(s *Server, id string) error {
		_, err := s.db.Contact(id)
		return err
	}},
	"contact_group": {path: func(id string) string { return "/groups/" + id + "/edit" }, get: func(s *Server, id string) error {
		_, err := s.db.Group(id)
		return err
	}},
	"escalation_policy": {path: func(id string) string { return "/escalations/" + id + "/edit" }, get: func(s *Server, id string) error {
		_, err := s.db.EscalationPolicy(id)
		return err
	}},
	"notify_route": {path: func(id string) string { return "/routes/" + id + "/edit" }, get: func(s *Server, id string) error {
		_, err := s.db.Route(id)
		return err
	}},
	"maintenance": {path: func(id string) string { return "/maintenance/" + id + "/edit" }, get: func(s *Server, id string) error {
		_, err := s.db.Maintenance(id)
		return err
	}},
	"incident": {path: func(id string) string { return "/incidents/" + id }, get: func(s *Server, id string) error {
		_, err := s.db.Incident(id)
		return err
	}},
	"fim_policy": {path: func(id string) string { return "/fim/policies/" + id }, get: func(s *Server, id string) error {
		_, err := s.db.FIMPolicy(id)
		return err
	}},
	"settings": {path: func(id string) string { return "/settings/" + id }, admin: true, get: func(s *Server, id string) error {
		if id != "smtp" {
			return store.ErrNotFound
		}
		return nil
	}},
}

// auditTargetURL is the page of the record target ("monitor:3") names,
// or "" when it has none, is gone, or is not for this user.
func (s *Server) auditTargetURL(target string, admin bool) string {
	kind, id, _ := strings.Cut(target, ":")
	pg, ok := auditPages[kind]
	if !ok || id == "" || (pg.admin && !admin) {
		return ""
	}
	if err := pg.get(s, id); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("audit log: look up record", "target", target, "err", err)
		}
		return ""
	}
	return pg.path(url.PathEscape(id))
}

// auditRecordName is the name a record had, from the first of the audited
// copies that holds one: its name, user name or note.
func auditRecordName(records ...json.RawMessage) string {
	for _, raw := range records {
		if len(raw) == 0 {
			continue
		}
		var v struct {
			Name     string `json:"name"`
			Username string `json:"username"`
			Note     string `json:"note"`
		}
		if json.Unmarshal(raw, &v) != nil {
			continue
		}
		for _, n := range []string{v.Name, v.Username, v.Note} {
			if n = strings.TrimSpace(n); n != "" {
				return n
			}
		}
	}
	return ""
}
