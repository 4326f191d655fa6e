package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/ui"
)

func (s *Server) handleSMTPPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.smtpProps(s.pageFor(w, r, rc, "SMTP server", "notifications"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, ui.SMTPPage(p))
	return nil
}

// smtpProps fills the SMTP page from the stored settings.
func (s *Server) smtpProps(pg ui.Page) (ui.SMTPProps, error) {
	st, configured, err := s.currentSMTP()
	if err != nil {
		return ui.SMTPProps{}, err
	}
	f := ui.SMTPForm{Host: st.Host, Port: strconv.Itoa(st.Port), Username: st.Username, From: st.From, TLS: st.TLS, PasswordSet: st.Password != ""}
	if configured {
		f.UpdatedAt = st.UpdatedAt
	}
	return ui.SMTPProps{Page: pg, Form: f}, nil
}

// handleSMTPForm saves the SMTP settings. An empty password field keeps
// the stored password; the "Remove" box clears it.
func (s *Server) handleSMTPForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := ui.SMTPForm{Host: r.PostFormValue("host"), Port: r.PostFormValue("port"), Username: r.PostFormValue("username"),
		From: r.PostFormValue("from"), TLS: r.PostFormValue("tls")}
	in := smtpInput{Host: &form.Host, Username: &form.Username, From: &form.From, TLS: &form.TLS}
	if pw := r.PostFormValue("password"); pw != "" {
		in.Password = &pw
	} else if r.PostFormValue("clear_password") == "true" {
		empty := ""
		in.Password = &empty
	}
	port, err := formInt("port", form.Port)
	if err == nil {
		in.Port = port
		_, err = s.saveSMTP(in, rc.actor())
	}
	if err == nil {
		s.redirectWithFlash(w, r, "/settings/smtp", "SMTP settings saved. Send a test email to check them.")
		return nil
	}
	errs, ok := formErrors(err, nil)
	if !ok {
		return err
	}
	p, perr := s.smtpProps(s.page("SMTP server", rc.user.Username, rc.session.CSRFToken, "notifications"))
	if perr != nil {
		return perr
	}
	form.PasswordSet, form.UpdatedAt, form.Errors = p.Form.PasswordSet, p.Form.UpdatedAt, errs
	p.Form = form
	s.render(w, r, http.StatusBadRequest, ui.SMTPPage(p))
	return nil
}

// handleSMTPTestForm sends a test email and shows the mail server's
// answer on the page.
func (s *Server) handleSMTPTestForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	to := strings.TrimSpace(r.PostFormValue("to"))
	p, err := s.smtpProps(s.page("SMTP server", rc.user.Username, rc.session.CSRFToken, "notifications"))
	if err != nil {
		return err
	}
	p.TestTo = to
	status := http.StatusOK
	err = s.sendTestEmail(r.Context(), to)
	var ae *apiError
	switch {
	case err == nil:
		p.TestResult, p.TestOK = "Sent to "+to+". Check that it arrived.", true
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		p.TestErrors, status = map[string]string{"to": capitalize(ae.Msg)}, http.StatusBadRequest
	case errors.As(err, &ae):
		p.TestResult, status = capitalize(ae.Msg), ae.Status
	default:
		return err
	}
	s.render(w, r, status, ui.SMTPPage(p))
	return nil
}
