package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golang.org/x/net/http/httpguts"
)

func init() {
	Register(Type{
		Name:  "webhook",
		Title: "Webhook",
		Settings: []Setting{
			{Name: "url", Kind: "string", Required: true, Help: "The http:// or https:// URL the event is sent to."},
			{Name: "secret", Kind: "string", Secret: true, Help: "Signs each request with HMAC-SHA256: the X-Vigil-Timestamp and X-Vigil-Signature headers."},
			{Name: "authorization", Kind: "string", Secret: true, Help: "Value of the Authorization header, e.g. \"Bearer abc123\" or \"Basic dXNlcjpwYXNz\"."},
			{Name: "headers", Kind: "map", Help: "Extra request headers; not secret, so credentials belong in authorization."},
			{Name: "method", Kind: "enum", Default: "POST", Options: []string{"POST", "PUT", "PATCH"}, Help: "HTTP method."},
			{Name: "content_type", Kind: "string", Default: "application/json", Help: "Content-Type of the body."},
			{Name: "body_template", Kind: "text", Help: "A Go text/template that replaces the JSON event as the body, for help-desk systems that want their own format."},
		},
		New: newWebhook,
	})
}

// Webhook limits: generous for any real receiver, small enough that one
// contact cannot make every send expensive.
const (
	maxHeaders      = 20
	maxHeaderValue  = 4096
	maxTemplateLen  = 16 << 10
	maxRenderedBody = 1 << 20
)

type webhookSettings struct {
	URL           string            `json:"url"`
	Secret        string            `json:"secret"`
	Authorization string            `json:"authorization"`
	Headers       map[string]string `json:"headers"`
	Method        string            `json:"method"`
	ContentType   string            `json:"content_type"`
	BodyTemplate  string            `json:"body_template"`
}

type webhook struct {
	url         string
	label       string // the URL without path or query, for errors
	method      string
	contentType string
	secret      []byte
	headers     http.Header
	tmpl        *template.Template // nil: the JSON event
	client      *http.Client
	now         func() time.Time
}

var _ Notifier = (*webhook)(nil)

// webhookBody is the JSON event exactly as CONTRACT.md describes it.
type webhookBody struct {
	Event    string    `json:"event"`
	Monitor  Monitor   `json:"monitor"`
	Incident *Incident `json:"incident,omitempty"`
	At       time.Time `json:"at"`
}

// reservedHeaders are set by Vigil itself (or by net/http) and cannot be
// overridden by the headers setting.
var reservedHeaders = map[string]string{
	"Content-Type":      "use settings.content_type",
	"Authorization":     "use settings.authorization, which is kept encrypted",
	"Content-Length":    "it is set from the body",
	"Host":              "it is taken from the URL",
	"Transfer-Encoding": "it is set by Vigil",
	"Connection":        "it is set by Vigil",
	"X-Vigil-Signature": "it is set from settings.secret",
	"X-Vigil-Timestamp": "it is set from settings.secret",
	"X-Vigil-Event":     "it is set by Vigil",
}

func newWebhook(raw json.RawMessage, env Env) (Notifier, error) {
	var s webhookSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	u, err := parseHTTPURL("url", strings.TrimSpace(s.URL), "authorization")
	if err != nil {
		return nil, err
	}
	w := &webhook{
		url: u.String(), label: "webhook " + redactURL(u), secret: []byte(s.Secret),
		client: noRedirects(env.httpClient()), now: env.now,
	}
	if w.method, err = webhookMethod(s.Method); err != nil {
		return nil, err
	}
	if w.contentType, err = webhookContentType(s.ContentType); err != nil {
		return nil, err
	}
	if w.headers, err = webhookHeaders(s.Headers, s.Authorization); err != nil {
		return nil, err
	}
	if s.BodyTemplate != "" {
		if w.tmpl, err = parseBodyTemplate(s.BodyTemplate, w.contentType); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func webhookMethod(m string) (string, error) {
	switch m = strings.ToUpper(strings.TrimSpace(m)); m {
	case "":
		return http.MethodPost, nil
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return m, nil
	}
	return "", settingErr("method", "must be POST, PUT or PATCH")
}

func webhookContentType(ct string) (string, error) {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return "application/json", nil
	}
	if err := checkHeaderText("content_type", ct); err != nil {
		return "", err
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil || len(ct) > 200 {
		return "", settingErr("content_type", "%q is not a media type such as application/json", clip(ct, 80))
	}
	return ct, nil
}

func webhookHeaders(in map[string]string, authorization string) (http.Header, error) {
	if len(in) > maxHeaders {
		return nil, settingErr("headers", "has %d headers, at most %d are allowed", len(in), maxHeaders)
	}
	h := make(http.Header, len(in)+1)
	for name, value := range in {
		if !httpguts.ValidHeaderFieldName(name) {
			return nil, settingErr("headers", "%q is not a valid header name", clip(name, 80))
		}
		canon := http.CanonicalHeaderKey(name)
		if why, reserved := reservedHeaders[canon]; reserved {
			return nil, settingErr("headers", "%s cannot be set here: %s", canon, why)
		}
		if err := checkHeaderText("headers", value); err != nil {
			return nil, settingErr("headers", "the value of %s must not contain line breaks or NUL", canon)
		}
		if !httpguts.ValidHeaderFieldValue(value) || len(value) > maxHeaderValue {
			return nil, settingErr("headers", "the value of %s is not a valid header value (control characters, or over %d bytes)", canon, maxHeaderValue)
		}
		h.Set(canon, value)
	}
	if authorization != "" {
		// The value is secret: the error names the field, never the value.
		if strings.ContainsAny(authorization, "\r\n\x00") || !httpguts.ValidHeaderFieldValue(authorization) || len(authorization) > maxHeaderValue {
			return nil, settingErr("authorization", "is not a valid header value (line breaks, control characters, or over %d bytes)", maxHeaderValue)
		}
		h.Set("Authorization", authorization)
	}
	return h, nil
}

// Send posts ev to the receiver. A 2xx answer is success; a 4xx other
// than 408 or 429 is permanent; anything else may be retried.
func (w *webhook) Send(ctx context.Context, ev Event) error {
	ev.AckURL = "" // a one-click acknowledgement is for a person's inbox only
	ev.Monitor.Target = redactTargetPassword(ev.Monitor.Target)
	body, err := w.body(ev)
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", w.label, err))
	}
	req, err := http.NewRequestWithContext(ctx, w.method, w.url, bytes.NewReader(body))
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", w.label, err))
	}
	req.Header = w.headers.Clone()
	req.Header.Set("Content-Type", w.contentType)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("X-Vigil-Event", ev.Kind)
	if len(w.secret) > 0 {
		ts := strconv.FormatInt(w.now().Unix(), 10)
		req.Header.Set("X-Vigil-Timestamp", ts)
		req.Header.Set("X-Vigil-Signature", Sign(w.secret, ts, body))
	}
	a, err := do(w.client, req, w.label)
	if err != nil {
		return err
	}
	if a.status/100 != 2 {
		return statusError(w.label, a, bodyDetail(a.body))
	}
	return nil
}

func (w *webhook) body(ev Event) ([]byte, error) {
	if w.tmpl != nil {
		return renderBody(w.tmpl, ev)
	}
	return json.Marshal(webhookBody{Event: ev.Kind, Monitor: ev.Monitor, Incident: ev.Incident, At: ev.At})
}

// redactTargetPassword hides a password written into a monitor's target
// (https://user:pass@host becomes https://user:xxxxx@host), as the other
// senders' displayTarget does, but keeps the rest whole: a receiver may
// match on the target.
func redactTargetPassword(target string) string {
	if !strings.Contains(target, "@") {
		return target
	}
	if u, err := url.Parse(target); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return target
}

// Sign is the X-Vigil-Signature value for a request sent at ts (Unix
// seconds, as in X-Vigil-Timestamp) with body: "sha256=" and the hex
// HMAC-SHA256 under secret of ts + "." + body. Signing the timestamp too
// lets a receiver refuse a captured request replayed later.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
