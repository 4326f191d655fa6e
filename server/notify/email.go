package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

func init() {
	Register(Type{
		Name:  "email",
		Title: "Email",
		Settings: []Setting{
			{Name: "to", Kind: "list", Required: true, Help: "One address or a list of up to 20, e.g. \"oncall@example.com\" or \"Alice <alice@example.com>\"."},
			{Name: "subject_prefix", Kind: "string", Default: "[Vigil]", Help: "Put before every subject, for mail filters; \"\" for none."},
		},
		New: newEmail,
	})
}

const (
	maxRecipients    = 20
	maxSubjectPrefix = 60
	maxSubject       = 200
)

type emailSettings struct {
	To            json.RawMessage `json:"to"`
	SubjectPrefix *string         `json:"subject_prefix"`
}

type email struct {
	to     []*mail.Address
	prefix string
	env    Env
}

var _ Notifier = (*email)(nil)

func newEmail(raw json.RawMessage, env Env) (Notifier, error) {
	var s emailSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	list, err := parseList("to", s.To, maxRecipients)
	if err != nil {
		return nil, err
	}
	e := &email{prefix: "[Vigil]", env: env}
	if e.to, err = parseAddresses("to", list); err != nil {
		return nil, err
	}
	if s.SubjectPrefix != nil {
		e.prefix = strings.TrimSpace(*s.SubjectPrefix)
		if err := checkHeaderText("subject_prefix", e.prefix); err != nil {
			return nil, err
		}
		if len([]rune(e.prefix)) > maxSubjectPrefix {
			return nil, settingErr("subject_prefix", "is longer than %d characters", maxSubjectPrefix)
		}
	}
	return e, nil
}

// Send mails ev to every address, one message each over one connection,
// so that a refused address does not stop the others.
func (e *email) Send(ctx context.Context, ev Event) error {
	if e.env.SMTP == nil {
		return errors.New("email: SMTP is not set up")
	}
	if !ackable(ev) {
		ev.AckURL = ""
	}
	cfg, err := e.env.SMTP()
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	msgs, err := e.messages(cfg, ev)
	if err != nil {
		return err
	}
	return sendMail(ctx, cfg, msgs)
}

func (e *email) messages(cfg SMTPConfig, ev Event) ([]*gomail.Msg, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: the SMTP settings' from address %q is not an e-mail address", clip(cfg.From, 80))
	}
	subject := clip(ev.Summary(), maxSubject)
	if e.prefix != "" {
		subject = e.prefix + " " + subject
	}
	text := emailText(ev)
	html, err := emailHTML(ev)
	if err != nil {
		return nil, permanent(fmt.Errorf("email: render: %w", err))
	}
	now := e.env.now()
	msgs := make([]*gomail.Msg, 0, len(e.to))
	for _, to := range e.to {
		m := gomail.NewMsg()
		m.FromMailAddress(from)
		m.ToMailAddress(to)
		m.Subject(subject)
		m.SetDateWithValue(now)
		m.SetMessageID()
		// RFC 3834: tells vacation responders not to answer a robot.
		m.SetGenHeader("Auto-Submitted", "auto-generated")
		m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
		m.SetGenHeader("X-Vigil-Event", ev.Kind)
		m.SetUserAgent(userAgent)
		m.SetBodyString(gomail.TypeTextPlain, text)
		m.AddAlternativeString(gomail.TypeTextHTML, html)
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// emailText is the plain-text part: the shared text rendering, a word on
// the acknowledgement link, and a signature.
func emailText(ev Event) string {
	var b strings.Builder
	b.WriteString(ev.Text())
	if ev.AckURL != "" {
		b.WriteString("\nAcknowledging tells everyone you are on it and stops further escalation steps.\n")
	}
	b.WriteString("\n-- \nSent by Vigil.\n")
	return b.String()
}

// ackable reports whether acknowledging ev's incident still means
// something: not once it is resolved or someone has acknowledged it.
func ackable(ev Event) bool {
	inc := ev.Incident
	return inc != nil && inc.EndedAt == nil && inc.AcknowledgedBy == "" && inc.AcknowledgedAt == nil &&
		(ev.Kind == KindOpened || ev.Kind == KindReminder)
}
