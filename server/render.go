package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"github.com/vigil-monitor/vigil/internal/version"
	"github.com/vigil-monitor/vigil/ui"
)

const flashCookie = "vigil_flash"

// page fills the props every screen shares.
func (s *Server) page(title, user, csrf, nav string) ui.Page {
	return ui.Page{Title: title, User: user, CSRFToken: csrf, Nav: nav, Version: version.Version}
}

// pageFor fills the shared props for a signed-in request, taking the
// one-time flash message left by the previous action.
func (s *Server) pageFor(w http.ResponseWriter, r *http.Request, rc *reqCtx, title, nav string) ui.Page {
	p := s.page(title, rc.user.Username, rc.session.CSRFToken, nav)
	if c, err := r.Cookie(flashCookie); err == nil {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			p.Flash = msg
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return p
}

// redirectWithFlash answers a form post: the browser goes to location and
// the page there shows msg once.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, location, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	http.Redirect(w, r, location, http.StatusSeeOther)
}

// render writes a component as a whole HTML answer.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	s.renderTimed(w, r, status, c, time.Time{})
}

// renderTimed renders into a buffer first, so a failure mid-way becomes a
// clean 500 rather than half a page; with a start time it reports the
// server's time for the whole request in a Server-Timing header.
func (s *Server) renderTimed(w http.ResponseWriter, r *http.Request, status int, c templ.Component, start time.Time) {
	var buf bytes.Buffer
	if err := c.Render(context.WithoutCancel(r.Context()), &buf); err != nil {
		s.log.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "the page could not be rendered; the error is in the server's log", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if !start.IsZero() {
		h.Set("Server-Timing", fmt.Sprintf("app;dur=%.2f", float64(time.Since(start))/float64(time.Millisecond)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, msg string) {
	p := ui.ErrorProps{Page: s.page(http.StatusText(status), "", "", ""), Code: status, Message: msg}
	if rc != nil && rc.session != nil {
		p.Page = s.page(http.StatusText(status), rc.user.Username, rc.session.CSRFToken, "")
	}
	s.render(w, r, status, ui.ErrorPage(p))
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	rc, _ := s.sessionFromRequest(w, r)
	s.renderError(w, r, rc, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
}
