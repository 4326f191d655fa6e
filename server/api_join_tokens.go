package server

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

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
	defaultAgentPort = "8443"
)

// joinTokenInput is what POST /api/v1/join-tokens takes.
type joinTokenInput struct {
	TTL  string `json:"ttl"`
	Uses *int   `json:"uses"`
	Note string `json:"note"`
}

// joinTokenSpec is a join token request that passed its checks.
type joinTokenSpec struct {
	ttl  time.Duration
	uses int
	note string
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

// The token checks below return what is wrong as a phrase that follows
// the field's name ("must be between …"), or "" when nothing is, so the
// API can say "ttl must …" and the web form "Valid for: must …".

// checkTokenTTL reads how long a token is valid; empty is the default.
func checkTokenTTL(s string) (time.Duration, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultTokenTTL, ""
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, "must be a duration such as 30m, 24h or 168h (a week)"
	}
	if d < minTokenTTL || d > maxTokenTTL {
		return 0, fmt.Sprintf("must be between %s (%s) and %s (%s)",
			durationWords(minTokenTTL), formatDuration(minTokenTTL), durationWords(maxTokenTTL), formatDuration(maxTokenTTL))
	}
	return d, ""
}

// tokenUsesRule is what checkTokenUses asks for, also said of a value
// that is no number at all.
var tokenUsesRule = fmt.Sprintf("must be a whole number from 1 to %d", maxTokenUses)

// checkTokenUses checks how many agents may join with a token.
func checkTokenUses(n int) string {
	if n < 1 || n > maxTokenUses {
		return tokenUsesRule
	}
	return ""
}

// checkTokenNote trims a token's note and checks its length.
func checkTokenNote(s string) (string, string) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > maxTokenNote {
		return "", fmt.Sprintf("must be at most %d characters, not %d", maxTokenNote, n)
	}
	return s, ""
}

// validate checks the API's input and names the first bad field.
func (in joinTokenInput) validate() (joinTokenSpec, error) {
	spec := joinTokenSpec{uses: defaultTokenUses}
	var msg string
	if spec.ttl, msg = checkTokenTTL(in.TTL); msg != "" {
		return spec, badRequest("ttl", "ttl %s", msg)
	}
	if in.Uses != nil {
		spec.uses = *in.Uses
	}
	if msg = checkTokenUses(spec.uses); msg != "" {
		return spec, badRequest("uses", "uses %s", msg)
	}
	if spec.note, msg = checkTokenNote(in.Note); msg != "" {
		return spec, badRequest("note", "note %s", msg)
	}
	return spec, nil
}

// durationWords writes a whole number of days, hours or minutes as
// people say it: "30 days", "1 minute".
func durationWords(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return plural(int(d/day), "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute", "minutes")
	}
	return formatDuration(d)
}

// createJoinToken stores a token as spec says, hashed (audited), and
// returns the token string with the command that joins an agent.
// reqHost is the Host the request came to: without --public-url the
// command names that host, the one the person's browser reached.
func (s *Server) createJoinToken(spec joinTokenSpec, by store.Actor, reqHost string) (newJoinToken, error) {
	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	t := store.JoinToken{SecretHash: hash[:], Note: spec.note, ExpiresAt: time.Now().Add(spec.ttl), UsesLeft: spec.uses}
	if err := s.db.CreateJoinToken(&t, by); err != nil {
		return newJoinToken{}, err
	}
	token := wire.JoinToken{ID: t.ID, Secret: secret, Fingerprint: s.ca.Fingerprint()}.String()
	return newJoinToken{
		ID: t.ID, Token: token, ExpiresAt: t.ExpiresAt.UTC(), UsesLeft: t.UsesLeft, Note: t.Note,
		Command: "vigil agent --server " + s.agentURL(reqHost) + " --token " + token,
	}, nil
}

// agentURL is the gateway's address as agents reach it: the host of
// --public-url, else the host of reqHost (the request's Host header, the
// name the person's browser used: a name other hosts can likely reach
// too), else localhost; with the port of --agent-listen. Agents check the
// gateway against the CA pinned in the token, not its name, so any name
// that reaches it works.
func (s *Server) agentURL(reqHost string) string {
	host := "localhost"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	} else if h := hostOnly(reqHost); h != "" {
		host = h
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
	spec, err := in.validate()
	if err != nil {
		return err
	}
	out, err := s.createJoinToken(spec, rc.actor(), r.Host)
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

// hostOnly is the host of a Host header ("monitor.lan:8080" → "monitor.lan",
// "[::1]:8080" → "::1"), or "" when it is not a plain host name or address.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	// Only what a host name or address is made of: the command is pasted
	// into a shell.
	ok := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':' || r == '_'
	}
	if host == "" || len(host) > 253 || strings.IndexFunc(host, func(r rune) bool { return !ok(r) }) >= 0 {
		return ""
	}
	return host
}
