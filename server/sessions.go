package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/store"
)

const (
	sessionCookie = "vigil_session"
	csrfCookie    = "vigil_csrf" // double-submit token for forms shown before sign-in
	sessionTTL    = 7 * 24 * time.Hour
	sessionIdle   = 24 * time.Hour
	// lastSeenEvery limits session writes to one per minute per session.
	lastSeenEvery = time.Minute
)

// sessionFromRequest finds the signed-in user from the session cookie.
func (s *Server) sessionFromRequest(w http.ResponseWriter, r *http.Request) (*reqCtx, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, false
	}
	hash := auth.HashToken(c.Value)
	sess, err := s.db.Session(hash)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("read session", "err", err)
		}
		return nil, false
	}
	now := time.Now()
	if !sess.ExpiresAt.After(now) || now.Sub(sess.LastSeen) > sessionIdle {
		_ = s.db.DeleteSession(hash)
		return nil, false
	}
	u, err := s.db.User(sess.UserID)
	if err != nil || u.Disabled {
		return nil, false
	}
	if now.Sub(sess.LastSeen) > lastSeenEvery {
		// TouchSession never brings back a session a logout just deleted.
		if err := s.db.TouchSession(hash, now); errors.Is(err, store.ErrNotFound) {
			return nil, false
		} else if err != nil {
			s.log.Warn("touch session", "err", err)
		}
	}
	return &reqCtx{user: u, session: &sess, ip: clientIP(r)}, true
}

// startSession signs u in: a new session record and its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	token, hash := auth.NewToken()
	now := time.Now()
	sess := store.Session{
		TokenHash: hash,
		UserID:    u.ID,
		CSRFToken: auth.CSRFToken(),
		IP:        clientIP(r),
		UserAgent: truncate(r.UserAgent(), 200),
		CreatedAt: now,
		ExpiresAt: now.Add(sessionTTL),
		LastSeen:  now,
	}
	if err := s.db.PutSession(sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil,
	})
	return nil
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if rc != nil && rc.session != nil {
		if err := s.db.DeleteSession(rc.session.TokenHash); err != nil {
			s.log.Warn("delete session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
}

// preSessionCSRF returns the double-submit token for the login and setup
// forms, setting its cookie when the browser has none yet.
func (s *Server) preSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	token := auth.CSRFToken()
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: token, Path: "/", MaxAge: int((12 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure || r.TLS != nil,
	})
	return token
}

// validPreSessionCSRF checks a login or setup form's token against its cookie.
func validPreSessionCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && auth.ValidCSRF(c.Value, r.PostFormValue("csrf"))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
