package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// parsedMail is a received message read back with net/mail and
// mime/multipart, as a mail client would.
type parsedMail struct {
	Header     mail.Header
	Subject    string
	Text, HTML string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	out := parsedMail{Header: msg.Header, Subject: subject}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		var r io.Reader = p // quoted-printable is decoded by NextPart
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			out.Text = string(body)
		case "text/html":
			out.HTML = string(body)
		default:
			t.Errorf("unexpected part %s", pt)
		}
	}
	if out.Text == "" || out.HTML == "" {
		t.Fatalf("want a text and an HTML part, got text %d bytes, HTML %d bytes", len(out.Text), len(out.HTML))
	}
	return out
}

func smtpEnv(cfg SMTPConfig) Env {
	return Env{SMTP: func() (SMTPConfig, error) { return cfg, nil }, Now: fixedNow}
}

func TestEmailDelivery(t *testing.T) {
	tests := []struct {
		name     string
		opts     smtpOptions
		mode     string
		user     string
		pass     string
		wantTLS  bool
		wantUser string
	}{
		{"plain", smtpOptions{}, "none", "", "", false, ""},
		{"plain with AUTH PLAIN to loopback", smtpOptions{user: "alice", pass: "pw", insecure: true}, "none", "alice", "pw", false, "alice"},
		{"STARTTLS with AUTH PLAIN", smtpOptions{startTLS: true, user: "alice", pass: "s3cret"}, "starttls", "alice", "s3cret", true, "alice"},
		{"implicit TLS with AUTH PLAIN", smtpOptions{implicitTLS: true, user: "alice", pass: "s3cret"}, "tls", "alice", "s3cret", true, "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.opts)
			n := mustNew(t, "email", `{"to":"oncall@example.com"}`, smtpEnv(srv.config(tt.mode, tt.user, tt.pass)))
			if err := n.Send(sendCtx(t), openedEvent()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("server received %d messages", len(got))
			}
			m := got[0]
			if m.From != "vigil@example.com" || len(m.To) != 1 || m.To[0] != "oncall@example.com" || m.TLS != tt.wantTLS || m.User != tt.wantUser {
				t.Errorf("envelope from %q to %q, TLS %v, user %q", m.From, m.To, m.TLS, m.User)
			}
			p := parseMail(t, m.Data)
			if want := "[Vigil] PROBLEM: Homepage (http https://x.example) — connection refused"; p.Subject != want {
				t.Errorf("subject %q, want %q", p.Subject, want)
			}
		})
	}
}

func TestEmailContent(t *testing.T) {
	srv := startSMTP(t, smtpOptions{})
	n := mustNew(t, "email", `{"to":["Alice <alice@example.com>"],"subject_prefix":"[ops]"}`, smtpEnv(srv.config("none", "", "")))
	ev := openedEvent()
	ev.Monitor.Name = `<script>alert("x")</script>`
	ev.Incident.Message = "503 <b>Service</b> Unavailable & more"
	ev.AckURL = "https://vigil.example.com/ack/inc_1?sig=abc&exp=1"
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	m := srv.received()[0]
	p := parseMail(t, m.Data)
	for _, h := range []string{"Date", "Message-Id", "From", "To"} {
		if p.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if p.Header.Get("Auto-Submitted") != "auto-generated" || p.Header.Get("X-Vigil-Event") != "incident.opened" {
		t.Errorf("headers %v", p.Header)
	}
	if d, err := p.Header.Date(); err != nil || !d.Equal(fixedNow()) {
		t.Errorf("Date %v, %v", d, err)
	}
	if !strings.HasPrefix(p.Subject, "[ops] PROBLEM: <script>") {
		t.Errorf("subject %q", p.Subject)
	}
	for _, want := range []string{
		`Monitor:      <script>alert("x")</script>`, "Check:        http https://x.example", "Where:        server, web-eu-1",
		"Since:        2026-03-04 10:00:00 UTC", "Last message: 503 <b>Service</b> Unavailable & more",
		"Monitor page: https://vigil.example.com/monitors/mon_1", "Acknowledge:  https://vigil.example.com/ack/inc_1?sig=abc&exp=1",
	} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.Text)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "http https://x.example", "server, web-eu-1", "2026-03-04 10:00:00 UTC",
		"503 &lt;b&gt;Service&lt;/b&gt; Unavailable &amp; more", `href="https://vigil.example.com/monitors/mon_1"`,
		`href="https://vigil.example.com/ack/inc_1?sig=abc&amp;exp=1"`, "background:#d92d20",
	} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, p.HTML)
		}
	}
	if strings.Contains(p.HTML, "<script>") || strings.Contains(p.HTML, "<b>") {
		t.Errorf("HTML part holds unescaped markup:\n%s", p.HTML)
	}
}

// TestEmailWithoutAckLink: no ack link, no button and no word about it.
func TestEmailWithoutAckLink(t *testing.T) {
	srv := startSMTP(t, smtpOptions{})
	n := mustNew(t, "email", `{"to":"oncall@example.com","subject_prefix":""}`, smtpEnv(srv.config("none", "", "")))
	if err := n.Send(sendCtx(t), resolvedEvent()); err != nil {
		t.Fatal(err)
	}
	p := parseMail(t, srv.received()[0].Data)
	if p.Subject != "RESOLVED: Homepage (http https://x.example) after 4m12s" {
		t.Errorf("subject %q", p.Subject)
	}
	if strings.Contains(p.Text, "Acknowledg") || strings.Contains(p.HTML, "Acknowledge") {
		t.Errorf("an acknowledgement is offered without a link")
	}
	if !strings.Contains(p.HTML, "background:#12b76a") || !strings.Contains(p.Text, "Resolved:     2026-03-04 10:04:12 UTC, after 4m12s") {
		t.Errorf("resolved mail:\n%s\n%s", p.Text, p.HTML)
	}
}

func TestEmailFailures(t *testing.T) {
	plain := startSMTP(t, smtpOptions{})
	tlsSrv := startSMTP(t, smtpOptions{startTLS: true, user: "alice", pass: "right-password"})
	untrusted := tlsSrv.config("starttls", "", "")
	untrusted.rootCAs = nil
	tests := []struct {
		name      string
		env       Env
		to        string
		want      string
		permanent bool
	}{
		{"no SMTP settings", Env{}, `"a@example.com"`, "SMTP is not set up", false},
		{"SMTP settings unreadable", Env{SMTP: func() (SMTPConfig, error) { return SMTPConfig{}, errors.New("smtp settings: not set") }},
			`"a@example.com"`, "not set", false},
		{"wrong password", smtpEnv(tlsSrv.config("starttls", "alice", "wrong-password")), `"a@example.com"`, "AUTH failed", false},
		{"STARTTLS demanded, not offered", smtpEnv(plain.config("starttls", "", "")), `"a@example.com"`, "STARTTLS", false},
		{"untrusted certificate", smtpEnv(untrusted), `"a@example.com"`, "certificate", false},
		{"mailbox refused", smtpEnv(plain.config("none", "", "")), `"nobody@example.com"`, "550", true},
		{"mailbox busy", smtpEnv(plain.config("none", "", "")), `"busy@example.com"`, "450", false},
		{"bad from", smtpEnv(SMTPConfig{Host: "127.0.0.1", TLS: "none", From: "not an address"}), `"a@example.com"`, "from address", false},
		{"bad tls mode", smtpEnv(SMTPConfig{Host: "127.0.0.1", TLS: "ssl", From: "a@b.c"}), `"a@example.com"`, `tls mode "ssl"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustNew(t, "email", `{"to":`+tt.to+`}`, tt.env)
			err := n.Send(sendCtx(t), openedEvent())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Send = %v, want an error containing %q", err, tt.want)
			}
			var perm *PermanentError
			if errors.As(err, &perm) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", !tt.permanent, tt.permanent, err)
			}
			if strings.Contains(err.Error(), "password") && strings.Contains(err.Error(), "wrong-password") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestEmailRefusedAddressDoesNotStopOthers: one message per address, so a
// bad address in a list costs only itself, and the error is permanent.
func TestEmailRefusedAddressDoesNotStopOthers(t *testing.T) {
	srv := startSMTP(t, smtpOptions{})
	n := mustNew(t, "email", `{"to":["nobody@example.com","oncall@example.com"]}`, smtpEnv(srv.config("none", "", "")))
	err := n.Send(sendCtx(t), openedEvent())
	var perm *PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("Send = %v, want a permanent error naming the refused address", err)
	}
	if got := srv.received(); len(got) != 1 || got[0].To[0] != "oncall@example.com" {
		t.Errorf("received %v", got)
	}
}

// TestEmailHonoursContext: a server that accepts and never greets holds a
// send only until the caller's deadline, though go-mail's own timeout is
// longer.
func TestEmailHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	n := mustNew(t, "email", `{"to":"a@example.com"}`, smtpEnv(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", From: "v@example.com"}))
	for _, cancelEarly := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		if cancelEarly {
			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
		}
		done := make(chan error, 1)
		go func() { done <- n.Send(ctx, openedEvent()) }()
		select {
		case err := <-done:
			if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
				t.Errorf("Send = %v, want the context's error %v", err, ctx.Err())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Send ignored its context")
		}
		cancel()
	}
}

func TestAckable(t *testing.T) {
	for _, tt := range []struct {
		ev   Event
		want bool
	}{{openedEvent(), true}, {reminderEvent(), true}, {ackedEvent(), false}, {resolvedEvent(), false}, {testEvent(), false}} {
		if got := ackable(tt.ev); got != tt.want {
			t.Errorf("ackable(%s) = %v", tt.ev.Kind, got)
		}
	}
}
