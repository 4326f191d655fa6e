package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/vigil-monitor/vigil/store"
)

// Limits of alerting records.
const (
	maxRecordName  = 200
	maxTargets     = 50 // contacts and groups one list may name
	maxGroupSize   = 200
	maxSteps       = 10
	maxRouteTags   = 32
	maxScopeTokens = 500 // monitors, tags or agents in one maintenance scope
)

// directory is the contacts, groups and escalation policies as one
// request sees them: it resolves what people type (an id or a name) to
// ids, and ids back to names for pages.
type directory struct {
	contacts []store.Contact
	groups   []store.ContactGroup
	policies []store.EscalationPolicy
}

// loadDirectory reads every contact, group and policy: a few hundred
// records at most, read once per request that needs them.
func (s *Server) loadDirectory() (*directory, error) {
	var d directory
	var err error
	if d.contacts, err = s.db.Contacts(); err != nil {
		return nil, err
	}
	if d.groups, err = s.db.Groups(); err != nil {
		return nil, err
	}
	if d.policies, err = s.db.EscalationPolicies(); err != nil {
		return nil, err
	}
	return &d, nil
}

func (d *directory) contact(id string) (store.Contact, bool) {
	for _, c := range d.contacts {
		if c.ID == id {
			return c, true
		}
	}
	return store.Contact{}, false
}

func (d *directory) group(id string) (store.ContactGroup, bool) {
	for _, g := range d.groups {
		if g.ID == id {
			return g, true
		}
	}
	return store.ContactGroup{}, false
}

// target resolves a contact or group named by id or name to its id.
// Ids win over names, as for monitor locations.
func (d *directory) target(ref string) (string, bool) {
	for _, c := range d.contacts {
		if c.ID == ref {
			return c.ID, true
		}
	}
	for _, g := range d.groups {
		if g.ID == ref {
			return g.ID, true
		}
	}
	for _, c := range d.contacts {
		if strings.EqualFold(c.Name, ref) {
			return c.ID, true
		}
	}
	for _, g := range d.groups {
		if strings.EqualFold(g.Name, ref) {
			return g.ID, true
		}
	}
	return "", false
}

// targetName is how a page names a contact or group id.
func (d *directory) targetName(id string) string {
	if c, ok := d.contact(id); ok {
		return c.Name
	}
	if g, ok := d.group(id); ok {
		return g.Name + " (group)"
	}
	return "deleted " + id
}

func (d *directory) targetNames(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, d.targetName(id))
	}
	return out
}

// policy resolves an escalation policy named by id or name.
func (d *directory) policy(ref string) (store.EscalationPolicy, bool) {
	for _, p := range d.policies {
		if p.ID == ref {
			return p, true
		}
	}
	for _, p := range d.policies {
		if strings.EqualFold(p.Name, ref) {
			return p, true
		}
	}
	return store.EscalationPolicy{}, false
}

// targets validates a list of contacts and groups named by id or name and
// returns their ids, each once, in the order given. field names the list
// in errors.
func (d *directory) targets(field string, refs []string) ([]string, error) {
	if len(refs) > maxTargets {
		return nil, badRequest(field, "%s names at most %d contacts and groups", field, maxTargets)
	}
	var out []string
	seen := map[string]bool{}
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		id, ok := d.target(ref)
		if !ok {
			return nil, badRequest(field, "unknown contact or group %q: not the id or name of one", ref)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// escalation validates an optional policy reference and returns its id.
func (d *directory) escalation(field, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", nil
	}
	p, ok := d.policy(ref)
	if !ok {
		return "", badRequest(field, "unknown escalation policy %q: not the id or name of one", ref)
	}
	return p.ID, nil
}

// validRecordName checks the name of a contact, group, policy, route or
// window: required, one line, not too long.
func validRecordName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", badRequest("name", "name is required")
	case len(name) > maxRecordName:
		return "", badRequest("name", "name has at most %d characters", maxRecordName)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", badRequest("name", "name must not contain control characters")
	}
	return name, nil
}

// conflict is the 409 for a name another record of the kind has.
func conflict(kind, name string) error {
	return &apiError{Status: http.StatusConflict, Field: "name", Msg: fmt.Sprintf("another %s is called %s", kind, quote(name))}
}

// notFound is the 404 for an unknown id.
func notFound(kind, id string) error {
	return errStatus(http.StatusNotFound, fmt.Sprintf("no %s has the id %s", kind, quote(id)))
}
