package server

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// Agent limits.
const (
	maxAgentLabels = 32
	maxLabelLen    = 64
)

// agentOutput is an agent as the API shows it.
type agentOutput struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Hostname string     `json:"hostname"`
	OS       string     `json:"os"`
	Arch     string     `json:"arch"`
	Version  string     `json:"version"`
	Status   string     `json:"status"`
	LastSeen *time.Time `json:"last_seen"`
	Address  string     `json:"address"`
	Labels   []string   `json:"labels"`
	// Commands are the shell commands the agent's allow.d allows, by
	// name, as it last reported them: what a shell monitor on it may run.
	Commands     []string     `json:"commands"`
	Spool        *spoolOutput `json:"spool"`
	CertNotAfter *time.Time   `json:"cert_not_after"`
}

// spoolOutput is an agent's spool of results not yet delivered, as its
// latest poll reported it; null until it polled since the server started.
type spoolOutput struct {
	Pending uint64 `json:"pending"` // results waiting to be sent
	Bytes   uint64 `json:"bytes"`   // their size on the agent's disk
	Dropped uint64 `json:"dropped"` // results lost since the agent started: spool full, too old or refused
}

// agentInput is what PUT /api/v1/agents/{id} and the rename form take.
type agentInput struct {
	Name   *string  `json:"name"`
	Labels []string `json:"labels"`
}

// agentLive is an agent's presence as people are shown it: the stored
// record brought up to date with the gateway's memory, which is newer
// (heartbeats reach the store only every few seconds, spool statistics
// never). Status and last seen come from the same time, so they agree.
type agentLive struct {
	status   string // "online", "offline" or "revoked"
	lastSeen time.Time
	address  string
	spool    *wire.SpoolStats // nil when not known
}

// agentLive merges a with what the gateway knows of it at now.
func (s *Server) agentLive(a store.Agent, now time.Time) agentLive {
	p := s.gateway.Presence(a.ID)
	live := agentLive{lastSeen: a.LastSeen, address: a.Address}
	if p.LastSeen.After(live.lastSeen) {
		live.lastSeen = p.LastSeen
	}
	if p.Polled {
		spool := p.Spool
		live.address, live.spool = p.Address, &spool
	}
	switch {
	case a.RevokedAt != nil:
		live.status, live.spool = "revoked", nil
	case !live.lastSeen.IsZero() && now.Sub(live.lastSeen) <= s.gateway.OfflineAfter():
		live.status = "online"
	default:
		live.status = "offline"
	}
	return live
}

func (s *Server) agentView(a store.Agent, now time.Time) agentOutput {
	live := s.agentLive(a, now)
	out := agentOutput{
		ID: a.ID, Name: a.Name, Hostname: a.Hostname, OS: a.OS, Arch: a.Arch, Version: a.Version,
		Status: live.status, LastSeen: timeOrNil(live.lastSeen), Address: live.address,
		Labels: nonNil(a.Labels), Commands: nonNil(a.Commands), CertNotAfter: timeOrNil(a.CertNotAfter),
	}
	if live.spool != nil {
		out.Spool = &spoolOutput{Pending: live.spool.Records, Bytes: live.spool.Bytes, Dropped: live.spool.Dropped}
	}
	return out
}

// timeOrNil is t in UTC, or nil for the zero time (JSON null).
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// findAgent returns the agent with id ref, else the one named ref.
func (s *Server) findAgent(ref string) (store.Agent, error) {
	a, err := s.db.Agent(ref)
	if errors.Is(err, store.ErrNotFound) {
		a, err = s.db.AgentByName(ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return a, errStatus(http.StatusNotFound, "no agent has the id or name "+quote(ref))
	}
	return a, err
}

func (s *Server) handleAPIAgentList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.Agents()
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]agentOutput, 0, len(list))
	for _, a := range list {
		out = append(out, s.agentView(a, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIAgentUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in agentInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.updateAgent(r.PathValue("id"), in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.agentView(a, time.Now()))
	return nil
}

// updateAgent renames an agent and sets its labels (audited by the store);
// a field left out of in keeps its value.
func (s *Server) updateAgent(ref string, in agentInput, by store.Actor) (store.Agent, error) {
	a, err := s.findAgent(ref)
	if err != nil {
		return a, err
	}
	if in.Name != nil {
		if a.Name, err = validAgentName(*in.Name); err != nil {
			return a, err
		}
	}
	if in.Labels != nil {
		if a.Labels, err = validLabels(in.Labels); err != nil {
			return a, err
		}
	}
	err = s.db.UpdateAgent(&a, by)
	switch {
	case errors.Is(err, store.ErrConflict):
		return a, &apiError{Status: http.StatusConflict, Field: "name", Msg: s.nameTakenMsg(a.Name)}
	case errors.Is(err, store.ErrNotFound):
		return a, errStatus(http.StatusNotFound, "no agent has the id "+quote(a.ID))
	case err != nil:
		return a, err
	}
	s.agentsChanged() // monitors may name the agent
	return a, nil
}

// nameTakenMsg says which agent already has name, as that agent spells it.
func (s *Server) nameTakenMsg(name string) string {
	if other, err := s.db.AgentByName(name); err == nil {
		name = other.Name
	}
	return "another agent is already called " + quote(name) + " (names are compared without regard to case)"
}

// validAgentName trims a new agent name and checks it.
func validAgentName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", badRequest("name", "an agent needs a name")
	case len(name) > wire.MaxNameLen:
		return "", badRequest("name", "a name has at most %d characters, this one has %d", wire.MaxNameLen, len(name))
	case strings.EqualFold(name, serverLocation):
		return "", badRequest("name", "%q names the server's own location; choose another name", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", badRequest("name", "a name must not contain control characters")
	case strings.Trim(name, "0123456789") == "":
		// Monitors name agents by id or name: an agent called "7" would be
		// taken for agent 7 and receive its assignments, secrets included.
		return "", badRequest("name", "a name must not be only digits: agents are also named by their id")
	}
	return name, nil
}

// validLabels trims an agent's labels, drops empty ones and checks the
// rest: a label is short, one line and without commas (the form reads
// them comma-separated).
func validLabels(in []string) ([]string, error) {
	labels := []string{}
	for _, l := range in {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case utf8.RuneCountInString(l) > maxLabelLen:
			return nil, badRequest("labels", "label %s is longer than %d characters", quote(shorten(l, 24)), maxLabelLen)
		case strings.ContainsFunc(l, func(r rune) bool { return r == ',' || r < ' ' || r == 0x7f }):
			return nil, badRequest("labels", "label %s must not contain a comma or a control character", quote(shorten(l, 24)))
		}
		labels = append(labels, l)
	}
	if len(labels) > maxAgentLabels {
		return nil, badRequest("labels", "an agent has at most %d labels, not %d", maxAgentLabels, len(labels))
	}
	return labels, nil
}

// shorten cuts s to at most n characters, marking the cut, so an error
// message does not repeat a long value whole.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (s *Server) handleAPIAgentRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.revokeAgent(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeAgent revokes an agent (audited by the store) and tells the
// gateway, which refuses its certificates from the next request on.
func (s *Server) revokeAgent(ref string, by store.Actor) (store.Agent, error) {
	a, err := s.findAgent(ref)
	if err != nil {
		return a, err
	}
	if err := s.db.RevokeAgent(a.ID, by, time.Now()); err != nil {
		return a, err
	}
	if a, err = s.db.Agent(a.ID); err != nil {
		return a, err
	}
	s.revokeAgentCerts(agentSerials(a)...)
	s.agentsChanged()
	return a, nil
}

// agentSerials are the serials of every certificate a still holds.
func agentSerials(a store.Agent) []string {
	var out []string
	if a.CertSerial != "" {
		out = append(out, a.CertSerial)
	}
	for _, c := range a.PreviousCerts {
		out = append(out, c.Serial)
	}
	return out
}

// agentLookup finds an agent by id or name, for monitor locations.
type agentLookup func(ref string) (store.Agent, bool)

// lookupAgent is the server's agentLookup: an id first, then a name.
func (s *Server) lookupAgent(ref string) (store.Agent, bool) {
	a, err := s.findAgent(ref)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Warn("look up agent", "agent", ref, "err", err)
		}
		return store.Agent{}, false
	}
	return a, true
}
