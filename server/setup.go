package server

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/auth"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

var systemActor = store.Actor{Username: "system"}

// bootstrapAdmin creates the administrator named on the command line when
// no user exists yet; otherwise it prepares the one-time setup code.
func (s *Server) bootstrapAdmin() error {
	n, err := s.db.CountUsers()
	if err != nil {
		return err
	}
	if n > 0 {
		if s.cfg.AdminUser != "" {
			s.log.Info("--admin-user ignored: users exist already", "admin_user", s.cfg.AdminUser)
		}
		return nil
	}
	if s.cfg.AdminUser == "" {
		s.setupCode = auth.NewSetupCode()
		return nil
	}
	raw, err := os.ReadFile(s.cfg.AdminPasswordFile)
	if err != nil {
		return fmt.Errorf("read --admin-password-file: %w", err)
	}
	password := strings.TrimRight(string(raw), "\r\n")
	if err := auth.ValidatePassword(password); err != nil {
		return fmt.Errorf("--admin-password-file: %w", err)
	}
	if err := validUsername(s.cfg.AdminUser); err != nil {
		return fmt.Errorf("--admin-user: %w", err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := store.User{Username: s.cfg.AdminUser, PasswordHash: hash, Role: roleAdmin}
	if err := s.db.CreateFirstAdmin(&u, systemActor); err != nil {
		return fmt.Errorf("create administrator: %w", err)
	}
	s.log.Info("administrator created", "user", u.Username)
	return nil
}

// announceSetup prints the setup link and code while nobody has claimed
// the server: only someone who can read this log can become its admin.
func (s *Server) announceSetup() {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if s.setupCode != "" {
		s.log.Info("first start: open the setup link and enter the setup code to create the administrator",
			"setup_url", s.publicURL+"/setup", "setup_code", s.setupCode)
	}
}

func validUsername(name string) error {
	if name == "" {
		return errors.New("a user name is required")
	}
	if len(name) > 64 {
		return errors.New("a user name has at most 64 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return errors.New("a user name may hold letters, digits and . _ - @ only")
		}
	}
	return nil
}

func (s *Server) needsSetup() bool {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	return s.setupCode != ""
}

func (s *Server) handleSetupPage(w http.ResponseWriter, r *http.Request) {
	if !s.needsSetup() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	p := ui.SetupProps{Page: s.page("Set up Vigil", "", s.preSessionCSRF(w, r), "")}
	s.render(w, r, http.StatusOK, ui.SetupPage(p))
}

func (s *Server) handleSetupSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.needsSetup() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	p := ui.SetupProps{
		Page:     s.page("Set up Vigil", "", s.preSessionCSRF(w, r), ""),
		Username: strings.TrimSpace(r.PostFormValue("username")),
		Errors:   map[string]string{},
	}
	ip := "ip:" + clientIP(r)
	if ok, wait := s.limiter.Allow(ip, time.Now()); !ok {
		p.Errors[""] = fmt.Sprintf("Too many attempts. Try again in %s.", wait.Round(time.Second))
		s.render(w, r, http.StatusTooManyRequests, ui.SetupPage(p))
		return
	}
	if !validPreSessionCSRF(r) {
		p.Errors[""] = "This form has expired. Reload the page and try again."
		s.render(w, r, http.StatusForbidden, ui.SetupPage(p))
		return
	}
	s.setupMu.Lock()
	code := s.setupCode
	s.setupMu.Unlock()
	if strings.TrimSpace(r.PostFormValue("code")) == "" {
		p.Errors["code"] = "Enter the setup code: the server's log shows it after setup_code=."
	} else if !auth.CompareCode(code, r.PostFormValue("code")) {
		s.limiter.Fail(ip, time.Now())
		p.Errors["code"] = "This is not the setup code. It is printed in the server's log."
	}
	if err := validUsername(p.Username); err != nil {
		p.Errors["username"] = capitalize(err.Error()) + "."
	}
	password := r.PostFormValue("password")
	if err := auth.ValidatePassword(password); err != nil {
		p.Errors["password"] = capitalize(err.Error()) + "."
	} else if password != r.PostFormValue("password_confirm") {
		p.Errors["password_confirm"] = "The two passwords differ."
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, ui.SetupPage(p))
		return
	}
	u, err := s.createFirstAdmin(p.Username, password, r)
	if err != nil {
		s.log.Error("setup", "err", err)
		p.Errors[""] = "The administrator could not be created; the reason is in the server's log."
		s.render(w, r, http.StatusConflict, ui.SetupPage(p))
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.log.Error("start session", "err", err)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) createFirstAdmin(username, password string, r *http.Request) (store.User, error) {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{Username: username, PasswordHash: hash, Role: roleAdmin}
	if err := s.db.CreateFirstAdmin(&u, store.Actor{Username: username, IP: clientIP(r)}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return u, errors.New("an administrator exists already")
		}
		return u, err
	}
	s.setupMu.Lock()
	s.setupCode = ""
	s.setupMu.Unlock()
	s.log.Info("administrator created through the setup page", "user", u.Username)
	return u, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
