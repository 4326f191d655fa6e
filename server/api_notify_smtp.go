package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// smtpTestTimeout bounds "Send test email": the person is waiting.
const smtpTestTimeout = 20 * time.Second

// smtpInput is what PUT /api/v1/settings/smtp and the form take. A field
// left out keeps its value; the password left out (or null) keeps the
// stored one, unless the host or port changes, and "" removes it.
type smtpInput struct {
	Host     *string `json:"host"`
	Port     *int    `json:"port"`
	Username *string `json:"username"`
	Password *string `json:"password"`
	From     *string `json:"from"`
	TLS      *string `json:"tls"`

	// Read-only fields a client may send back unchanged from a GET.
	PasswordSet *json.RawMessage `json:"password_set,omitempty"`
	Configured  *json.RawMessage `json:"configured,omitempty"`
	UpdatedAt   *json.RawMessage `json:"updated_at,omitempty"`
}

// smtpOutput is the SMTP settings as the API shows them: never the
// password, only whether one is stored.
type smtpOutput struct {
	Host        string     `json:"host"`
	Port        int        `json:"port"`
	Username    string     `json:"username"`
	PasswordSet bool       `json:"password_set"`
	From        string     `json:"from"`
	TLS         string     `json:"tls"`
	Configured  bool       `json:"configured"`
	UpdatedAt   *time.Time `json:"updated_at"`
}

// defaultSMTPPort is the usual port of each TLS mode.
func defaultSMTPPort(tls string) int {
	switch tls {
	case "tls":
		return 465
	case "none":
		return 25
	}
	return 587
}

// currentSMTP returns the stored settings, or the defaults and false.
func (s *Server) currentSMTP() (store.SMTPSettings, bool, error) {
	st, err := s.db.SMTPSettings()
	if errors.Is(err, store.ErrNotFound) {
		return store.SMTPSettings{TLS: "starttls", Port: 587}, false, nil
	}
	return st, err == nil, err
}

func smtpView(st store.SMTPSettings, configured bool) smtpOutput {
	return smtpOutput{
		Host: st.Host, Port: st.Port, Username: st.Username, PasswordSet: st.Password != "",
		From: st.From, TLS: st.TLS, Configured: configured, UpdatedAt: timeOrNil(st.UpdatedAt),
	}
}

// apply validates in over cur and returns the new settings with the
// password still in plain text (sealed by saveSMTP), and every problem.
func (in smtpInput) apply(cur store.SMTPSettings) (store.SMTPSettings, *string, error) {
	var errs fieldErrors
	next := cur
	if in.Host != nil {
		next.Host = strings.TrimSpace(*in.Host)
	}
	if err := validSMTPHost(next.Host); err != nil {
		errs.add(err)
	}
	if in.TLS != nil {
		next.TLS = strings.TrimSpace(*in.TLS)
	}
	if next.TLS == "" {
		next.TLS = "starttls"
	}
	if next.TLS != "none" && next.TLS != "starttls" && next.TLS != "tls" {
		errs.add(badRequest("tls", "tls must be none, starttls or tls, not %q", next.TLS))
	}
	if in.Port != nil {
		next.Port = *in.Port
		if next.Port < 1 || next.Port > 65535 {
			errs.add(badRequest("port", "port must be between 1 and 65535"))
		}
	} else if next.Port == 0 {
		next.Port = defaultSMTPPort(next.TLS)
	}
	if in.Username != nil {
		next.Username = strings.TrimSpace(*in.Username)
	}
	if len(next.Username) > 256 || strings.ContainsFunc(next.Username, isControl) {
		errs.add(badRequest("username", "username has at most 256 characters and no control characters"))
	}
	if in.From != nil {
		next.From = strings.TrimSpace(*in.From)
	}
	if next.From == "" {
		errs.add(badRequest("from", "from is required: the address emails come from, e.g. vigil@example.com"))
	} else if a, err := mail.ParseAddress(next.From); err != nil || !strings.Contains(a.Address, "@") {
		errs.add(badRequest("from", "from must be an email address such as vigil@example.com or Vigil <vigil@example.com>"))
	}
	if in.Password != nil && len(*in.Password) > 1024 {
		errs.add(badRequest("password", "password has at most 1024 characters"))
	}
	if in.Password == nil && cur.Password != "" && smtpServerMoved(cur, next) {
		errs.add(badRequest("password", "the mail server's host or port changed, so the stored password is not sent to it: "+
			"enter the password again, or remove it"))
	}
	if len(errs) > 0 {
		return cur, nil, errs
	}
	return next, in.Password, nil
}

// smtpServerMoved reports whether next names another mail server than
// cur. The stored password is then not kept: it would go to a server
// chosen by whoever changed the host, who need not know it.
func smtpServerMoved(cur, next store.SMTPSettings) bool {
	port := func(st store.SMTPSettings) int {
		if st.Port == 0 {
			return defaultSMTPPort(st.TLS)
		}
		return st.Port
	}
	return !strings.EqualFold(strings.TrimSuffix(cur.Host, "."), strings.TrimSuffix(next.Host, ".")) || port(cur) != port(next)
}

func validSMTPHost(host string) error {
	switch {
	case host == "":
		return badRequest("host", "host is required: the mail server's name or address, e.g. smtp.example.com")
	case len(host) > 253 || strings.ContainsAny(host, " /@\t\r\n"):
		return badRequest("host", "host must be a host name or IP address, e.g. smtp.example.com (no scheme, no port)")
	case strings.Contains(host, ":") && net.ParseIP(host) == nil:
		return badRequest("host", "host must not include a port: put the port in port")
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// saveSMTP validates in, seals a new password and stores the settings
// (audited by the store, without the password).
func (s *Server) saveSMTP(in smtpInput, by store.Actor) (smtpOutput, error) {
	cur, _, err := s.currentSMTP()
	if err != nil {
		return smtpOutput{}, err
	}
	next, password, err := in.apply(cur)
	if err != nil {
		return smtpOutput{}, err
	}
	if password != nil {
		if next.Password, err = s.seal.Seal(*password, sealSMTPPassword); err != nil {
			return smtpOutput{}, err
		}
	}
	if err := s.db.PutSMTPSettings(next, by); err != nil {
		return smtpOutput{}, err
	}
	st, configured, err := s.currentSMTP()
	return smtpView(st, configured), err
}

// sendTestEmail sends a test email to to with the saved settings and
// returns the mail server's error, if any.
func (s *Server) sendTestEmail(ctx context.Context, to string) error {
	to = strings.TrimSpace(to)
	if a, err := mail.ParseAddress(to); err != nil || !strings.Contains(a.Address, "@") {
		return badRequest("to", "to must be an email address such as you@example.com")
	}
	_, configured, err := s.currentSMTP()
	if err != nil {
		return err
	}
	if !configured {
		return errStatus(http.StatusConflict, "no SMTP server is set up yet: save the SMTP settings first")
	}
	settings, _ := json.Marshal(map[string]any{"to": []string{to}})
	n, err := notify.New("email", settings, s.notifyEnv())
	if err != nil {
		return settingErrorAs("to", err)
	}
	ctx, cancel := context.WithTimeout(ctx, smtpTestTimeout)
	defer cancel()
	ev := notify.Event{Kind: "test", Monitor: notify.Monitor{Name: notify.TestMonitorName}, At: time.Now().UTC(), MonitorURL: s.publicURL}
	if err := n.Send(ctx, ev); err != nil {
		return &apiError{Status: http.StatusBadGateway, Msg: "the mail server did not take the email: " + err.Error()}
	}
	return nil
}

// settingErrorAs reports a notifier's validation error on field.
func settingErrorAs(field string, err error) error {
	return badRequest(field, "%s", err.Error())
}

func (s *Server) handleAPISMTPGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, configured, err := s.currentSMTP()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, smtpView(st, configured))
	return nil
}

func (s *Server) handleAPISMTPPut(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in smtpInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.saveSMTP(in, rc.actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPISMTPTest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in struct {
		To string `json:"to"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.sendTestEmail(r.Context(), in.To); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": "sent"})
	return nil
}
