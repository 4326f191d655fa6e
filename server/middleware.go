package server

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// Roles, in rising order of what they may do.
const (
	roleViewer = "viewer" // reads everything
	roleEditor = "editor" // also changes monitors and acknowledges incidents
	roleAdmin  = "admin"  // also manages users, tokens and the server
)

func roleRank(role string) int {
	switch role {
	case roleViewer:
		return 1
	case roleEditor:
		return 2
	case roleAdmin:
		return 3
	}
	return 0
}

// reqCtx is what the auth wrappers learnt about a request.
type reqCtx struct {
	user    store.User
	session *store.Session // nil for API requests
	ip      string
	// token is the name of the API token the request came with, "" for
	// a session or a token without a name.
	token string
}

// actor is who makes the request's changes, as the audit log (and the
// records that say who acknowledged or accepted) name them: the user, and
// the API token's name when it has one, "admin (token backup script)", so
// a script's changes can be told from the person's (docs/api.md).
func (rc *reqCtx) actor() store.Actor {
	return store.Actor{UserID: rc.user.ID, Username: actorName(rc.user.Username, rc.token), IP: rc.ip}
}

// actorName is user, with the token's name when there is one. A name
// with characters that would hide or reorder text (a newline, a
// right-to-left override) is quoted with them escaped.
func actorName(user, token string) string {
	if token == "" {
		return user
	}
	if q := strconv.QuoteToGraphic(token); q != `"`+token+`"` {
		token = q
	}
	return user + " (token " + token + ")"
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// api wraps a JSON API handler: a valid bearer token of a user with at
// least role, and errors written as {"error","field"}.
func (s *Server) api(role string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc, err := s.bearer(r)
		if err == nil && roleRank(rc.user.Role) < roleRank(role) {
			err = errStatus(http.StatusForbidden, "your role ("+rc.user.Role+") may not do this; it needs "+role)
		}
		if err == nil {
			err = h(w, r, rc)
		}
		if err != nil {
			s.logIfInternal(r, err)
			writeError(w, err)
		}
	}
}

func (s *Server) bearer(r *http.Request) (*reqCtx, error) {
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, errStatus(http.StatusUnauthorized, "sign in first: send Authorization: Bearer TOKEN (POST /api/v1/auth/token gives one)")
	}
	unauthorized := errStatus(http.StatusUnauthorized, "the token is not valid or has expired: get a new one from POST /api/v1/auth/token")
	t, err := s.db.APITokenByHash(auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !t.ExpiresAt.After(time.Now())) {
		return nil, unauthorized
	}
	if err != nil {
		return nil, err
	}
	u, err := s.db.User(t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return nil, unauthorized
	}
	if err != nil {
		return nil, err
	}
	if now := time.Now(); now.Sub(t.LastUsedAt) > lastSeenEvery {
		if err := s.db.TouchAPIToken(t.ID, now); err != nil {
			s.log.Warn("record token use", "token", t.ID, "err", err)
		}
	}
	return &reqCtx{user: u, ip: clientIP(r), token: t.Name}, nil
}

func (s *Server) logIfInternal(r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// web wraps a page or form handler: a valid session (else a redirect to
// the login page), a role check, and the session's CSRF token on every
// state-changing request.
func (s *Server) web(role string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc, ok := s.sessionFromRequest(w, r)
		if !ok {
			if r.Header.Get("HX-Request") == "true" {
				// A live refresh after the session ended: the whole page goes
				// to sign-in, instead of the sign-in page landing in a table.
				w.Header().Set("HX-Redirect", "/login?next="+url.QueryEscape(r.URL.Path))
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, nil, http.StatusUnauthorized, "Your session has ended. Sign in again.")
			return
		}
		if r.Method != http.MethodGet {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		if r.Method != http.MethodGet && !auth.ValidCSRF(rc.session.CSRFToken, r.PostFormValue("csrf")) {
			s.renderError(w, r, rc, http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
			return
		}
		if roleRank(rc.user.Role) < roleRank(role) {
			s.renderError(w, r, rc, http.StatusForbidden, "Your role ("+rc.user.Role+") may not do this.")
			return
		}
		if roleRank(rc.user.Role) >= roleRank(roleEditor) {
			// Pages link to the audit log only for those who may read it.
			r = r.WithContext(ui.WithAuditLinks(r.Context()))
		}
		if err := h(w, r, rc); err != nil {
			s.logIfInternal(r, err)
			var ae *apiError
			if errors.As(err, &ae) {
				s.renderError(w, r, rc, ae.Status, ae.Msg)
				return
			}
			s.renderError(w, r, rc, http.StatusInternalServerError, "Something went wrong on the server; the details are in its log.")
		}
	}
}

// clientIP is the peer's address. Forwarded headers are not trusted: a
// proxy in front is not configured yet, and trusting them would let
// anyone pick the IP that rate limits count against.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
