package server

import (
	"context"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/server/alerting"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// Seal purposes: a sealed value opens only under the purpose it was sealed
// for, so a secret pasted from one field into another does not open. The
// dispatcher opens them with the same purposes.
const sealSMTPPassword = alerting.SMTPPurpose

func sealContactSetting(name string) string { return alerting.SecretPurpose(name) }

// notifyHTTP sends webhooks and provider calls: bounded, and never
// following a redirect to somewhere the contact did not name.
var notifyHTTP = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: alerting.DefaultConcurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// notifyEnv is what contact types need from the server: the SMTP settings
// with the password opened (read on every send, so a change applies at
// once) and an HTTP client.
func (s *Server) notifyEnv() notify.Env {
	return notify.Env{SMTP: alerting.SMTPFromStore(s.db.SMTPSettings, s.seal), HTTP: notifyHTTP}
}

// testContact sends c a test message through the dispatcher, which logs
// the attempt.
func (s *Server) testContact(ctx context.Context, c store.Contact) error {
	return s.dispatcher.Test(ctx, c)
}
