package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

var errBadCredentials = errStatus(http.StatusUnauthorized, "the user name or password is wrong")

// dummyHash makes a failed lookup of an unknown user cost as much as a
// wrong password, so timing does not tell which user names exist. It is
// made on first use, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("vigil-timing-equaliser")
	return h
})

// authenticate checks a user name and password, counting failures per
// user name and per IP address.
func (s *Server) authenticate(username, password, ip string) (store.User, error) {
	now := time.Now()
	userKey, ipKey := "user:"+strings.ToLower(username), "ip:"+ip
	for i, key := range []string{ipKey, userKey} {
		if ok, wait := s.limiter.Attempt(key, now); !ok {
			if i == 1 {
				s.limiter.Forgive(ipKey, now)
			}
			return store.User{}, &apiError{Status: http.StatusTooManyRequests, RetryAfter: wait,
				Msg: fmt.Sprintf("too many failed sign-ins; try again in %s", formatDuration(wait.Round(time.Second)))}
		}
	}
	u, err := s.db.UserByName(username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.limiter.Forgive(ipKey, now)
		s.limiter.Forgive(userKey, now)
		return store.User{}, err
	}
	hash := u.PasswordHash
	if err != nil {
		hash = dummyHash()
	}
	ok, checkErr := auth.CheckPassword(hash, password)
	if err != nil || checkErr != nil || !ok || u.Disabled {
		// The attempt was counted as failed before the check.
		s.log.Info("sign-in refused", "user", truncate(username, 64), "ip", ip)
		return store.User{}, errBadCredentials
	}
	s.limiter.Forgive(ipKey, now)
	s.limiter.Reset(userKey)
	return u, nil
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if s.needsSetup() {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	if _, ok := s.sessionFromRequest(w, r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := ui.LoginProps{Page: s.page("Sign in", "", s.preSessionCSRF(w, r), ""), Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, ui.LoginPage(p))
}

func (s *Server) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	p := ui.LoginProps{
		Page:     s.page("Sign in", "", s.preSessionCSRF(w, r), ""),
		Username: strings.TrimSpace(r.PostFormValue("username")),
		Next:     safeNext(r.PostFormValue("next")),
	}
	if !validPreSessionCSRF(r) {
		p.Error = "This form has expired. Try again."
		s.render(w, r, http.StatusForbidden, ui.LoginPage(p))
		return
	}
	u, err := s.authenticate(p.Username, r.PostFormValue("password"), clientIP(r))
	if err != nil {
		var ae *apiError
		status := http.StatusInternalServerError
		p.Error = "Signing in failed on the server; the details are in its log."
		if errors.As(err, &ae) {
			status, p.Error = ae.Status, capitalize(ae.Msg)+"."
		} else {
			s.log.Error("sign in", "err", err)
		}
		s.render(w, r, status, ui.LoginPage(p))
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.log.Error("start session", "err", err)
		p.Error = "Signing in failed on the server; the details are in its log."
		s.render(w, r, http.StatusInternalServerError, ui.LoginPage(p))
		return
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s.endSession(w, r, rc)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-login redirect on this site: a local path only.
// Browsers drop tabs and newlines from URLs and read a backslash as a
// slash, so those are refused too, not just "//host".
func safeNext(next string) string {
	if next == "" || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return u.RequestURI()
}

// apiTokenTTL is how long a token from POST /api/v1/auth/token lasts
// unless the request asks for less or more (up to apiTokenMaxTTL).
const (
	apiTokenTTL    = 24 * time.Hour
	apiTokenMaxTTL = 365 * 24 * time.Hour
)

func (s *Server) handleAPIToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		TTL      string `json:"ttl"`
		Name     string `json:"name"`
	}
	err := decodeJSON(w, r, &in)
	if err == nil && in.Username == "" {
		err = badRequest("username", "username is required")
	}
	if err == nil && in.Password == "" {
		err = badRequest("password", "password is required")
	}
	ttl := apiTokenTTL
	if err == nil && in.TTL != "" {
		ttl, err = time.ParseDuration(in.TTL)
		if err != nil || ttl < time.Minute || ttl > apiTokenMaxTTL {
			err = badRequest("ttl", "ttl must be a duration between 1m and 8760h, like \"24h\"")
		}
	}
	var u store.User
	if err == nil {
		u, err = s.authenticate(in.Username, in.Password, clientIP(r))
	}
	if err != nil {
		s.logIfInternal(r, err)
		writeError(w, err)
		return
	}
	token, hash := auth.NewToken()
	now := time.Now().UTC()
	t := store.APIToken{TokenHash: hash, UserID: u.ID, Name: truncate(in.Name, 100), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.CreateAPIToken(&t, store.Actor{UserID: u.ID, Username: u.Username, IP: clientIP(r)}); err != nil {
		s.logIfInternal(r, err)
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": token, "expires_at": t.ExpiresAt.Format(time.RFC3339)})
}
