package server

import (
	"crypto/sha256"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// Join token limits and defaults.
const (
	defaultTokenTTL  = 24 * time.Hour
	minTokenTTL      = time.Minute
	maxTokenTTL      = 720 * time.Hour
	defaultTokenUses = 1
	maxTokenUses     = 1000
	maxTokenNote     = 500
	maxAgentLabels   = 32
	defaultAgentPort = "8443"
)

// joinTokenInput is what POST /api/v1/join-tokens and the web form take.
type joinTokenInput struct {
	TTL  string `json:"ttl"`
	Uses *int   `json:"uses"`
	Note string `json:"note"`
}

// newJoinToken is the answer to a token creation: the only time the token
// string (and so its secret) is shown.
type newJoinToken struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	UsesLeft  int       `json:"uses_left"`
	Note      string    `json:"note"`
	Command   string    `json:"command"`
}

// joinTokenOutput is a join token as lists show it: never its secret.
type joinTokenOutput struct {
	ID        string     `json:"id"`
	Note      string     `json:"note"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsesLeft  int        `json:"uses_left"`
	Used      int        `json:"used"`
	RevokedAt *time.Time `json:"revoked_at"`
	CreatedBy string     `json:"created_by"`
	Status    string     `json:"status"`
}

func (in joinTokenInput) validate() (time.Duration, int, string, error) {
	ttl, err := parseDuration("ttl", in.TTL, defaultTokenTTL, minTokenTTL, maxTokenTTL)
	if err != nil {
		return 0, 0, "", err
	}
	uses := defaultTokenUses
	if in.Uses != nil {
		uses = *in.Uses
	}
	if uses < 1 || uses > maxTokenUses {
		return 0, 0, "", badRequest("uses", "uses must be between 1 and %d", maxTokenUses)
	}
	note := strings.TrimSpace(in.Note)
	if len(note) > maxTokenNote {
		return 0, 0, "", badRequest("note", "note has at most %d characters", maxTokenNote)
	}
	return ttl, uses, note, nil
}

// createJoinToken validates in, stores the token hashed (audited) and
// returns the token string with the command that joins an agent.
func (s *Server) createJoinToken(in joinTokenInput, by store.Actor) (newJoinToken, error) {
	ttl, uses, note, err := in.validate()
	if err != nil {
		return newJoinToken{}, err
	}
	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	t := store.JoinToken{SecretHash: hash[:], Note: note, ExpiresAt: time.Now().Add(ttl), UsesLeft: uses}
	if err := s.db.CreateJoinToken(&t, by); err != nil {
		return newJoinToken{}, err
	}
	token := wire.JoinToken{ID: t.ID, Secret: secret, Fingerprint: s.ca.Fingerprint()}.String()
	return newJoinToken{
		ID: t.ID, Token: token, ExpiresAt: t.ExpiresAt.UTC(), UsesLeft: t.UsesLeft, Note: t.Note,
		Command: "vigil agent --server " + s.agentURL() + " --token " + token,
	}, nil
}

// agentURL is the gateway's address as agents reach it: the host of
// --public-url (or localhost) with the port of --agent-listen.
func (s *Server) agentURL() string {
	host := "localhost"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	port := defaultAgentPort
	if _, p, err := net.SplitHostPort(s.cfg.AgentListen); err == nil && p != "" && p != "0" {
		port = p
	}
	return "https://" + net.JoinHostPort(host, port)
}

// tokenStatus says whether t can still be used at now, and if not, why.
func tokenStatus(t store.JoinToken, now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	case t.UsesLeft < 1:
		return "used_up"
	}
	return "active"
}

func joinTokenView(t store.JoinToken, now time.Time) joinTokenOutput {
	out := joinTokenOutput{
		ID: t.ID, Note: t.Note, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(),
		UsesLeft: t.UsesLeft, Used: t.Used, CreatedBy: t.CreatedBy, Status: tokenStatus(t, now),
	}
	if t.RevokedAt != nil {
		at := t.RevokedAt.UTC()
		out.RevokedAt = &at
	}
	return out
}

func (s *Server) handleAPIJoinTokenCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in joinTokenInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.createJoinToken(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleAPIJoinTokenList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.db.JoinTokens()
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]joinTokenOutput, 0, len(list))
	for _, t := range list {
		out = append(out, joinTokenView(t, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIJoinTokenRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.revokeJoinToken(r.PathValue("id"), rc.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeJoinToken revokes a join token at once (audited by the store).
func (s *Server) revokeJoinToken(id string, by store.Actor) error {
	err := s.db.RevokeJoinToken(id, by, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "no join token has the id "+quote(id))
	}
	return err
}

// agentOutput is an agent as the API shows it.
type agentOutput struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Hostname     string     `json:"hostname"`
	OS           string     `json:"os"`
	Arch         string     `json:"arch"`
	Version      string     `json:"version"`
	Status       string     `json:"status"`
	LastSeen     *time.Time `json:"last_seen"`
	Address      string     `json:"address"`
	Labels       []string   `json:"labels"`
	CertNotAfter *time.Time `json:"cert_not_after"`
}

// agentInput is what PUT /api/v1/agents/{id} and the rename form take.
type agentInput struct {
	Name   *string  `json:"name"`
	Labels []string `json:"labels"`
}

// agentStatus is "revoked", "online" or "offline".
func (s *Server) agentStatus(a store.Agent) string {
	switch {
	case a.RevokedAt != nil:
		return "revoked"
	case s.agentOnline(a.ID):
		return "online"
	}
	return "offline"
}

func (s *Server) agentView(a store.Agent) agentOutput {
	return agentOutput{
		ID: a.ID, Name: a.Name, Hostname: a.Hostname, OS: a.OS, Arch: a.Arch, Version: a.Version,
		Status: s.agentStatus(a), LastSeen: timeOrNil(a.LastSeen), Address: a.Address,
		Labels: nonNil(a.Labels), CertNotAfter: timeOrNil(a.CertNotAfter),
	}
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
	out := make([]agentOutput, 0, len(list))
	for _, a := range list {
		out = append(out, s.agentView(a))
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
	writeJSON(w, http.StatusOK, s.agentView(a))
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
		return a, &apiError{Status: http.StatusConflict, Field: "name", Msg: "another agent is called " + quote(a.Name)}
	case errors.Is(err, store.ErrNotFound):
		return a, errStatus(http.StatusNotFound, "no agent has the id "+quote(a.ID))
	case err != nil:
		return a, err
	}
	s.agentsChanged() // monitors may name the agent
	return a, nil
}

func validAgentName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", badRequest("name", "name is required")
	case len(name) > wire.MaxNameLen:
		return "", badRequest("name", "name has at most %d characters", wire.MaxNameLen)
	case strings.EqualFold(name, serverLocation):
		return "", badRequest("name", "%q names the server's own location; choose another name", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", badRequest("name", "name must not contain control characters")
	}
	return name, nil
}

func validLabels(in []string) ([]string, error) {
	labels, err := validTags(in)
	if err != nil {
		return nil, badRequest("labels", "%s", strings.Replace(err.Error(), "a monitor has", "an agent has", 1))
	}
	if len(labels) > maxAgentLabels {
		return nil, badRequest("labels", "an agent has at most %d labels", maxAgentLabels)
	}
	return nonNil(labels), nil
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
