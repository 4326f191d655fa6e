package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	Register(Type{
		Name:  "ntfy",
		Title: "ntfy push",
		Settings: []Setting{
			{Name: "url", Kind: "string", Required: true, Help: "The topic URL, e.g. https://ntfy.sh/vigil-ops-7f3k or a topic on your own ntfy server."},
			{Name: "token", Kind: "string", Secret: true, Help: "Access token (tk_…) for a protected topic, sent as a Bearer token."},
			{Name: "priority", Kind: "enum", Default: "auto", Options: []string{"auto", "min", "low", "default", "high", "max"},
				Help: "Message priority; auto is high for problems and reminders, default for everything else."},
		},
		New: newNtfy,
	})
}

// maxNtfyBody is ntfy's default message limit; a longer body would arrive
// as an attachment instead of a notification text.
const maxNtfyBody = 4000

var ntfyPriorities = map[string]int{"min": 1, "low": 2, "default": 3, "high": 4, "max": 5}

type ntfySettings struct {
	URL      string `json:"url"`
	Token    string `json:"token"`
	Priority string `json:"priority"`
}

type ntfy struct {
	url      string
	label    string
	token    string
	priority int // 0: by event
	client   *http.Client
}

var _ Notifier = (*ntfy)(nil)

func newNtfy(raw json.RawMessage, env Env) (Notifier, error) {
	var s ntfySettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	u, err := parseHTTPURL("url", strings.TrimSpace(s.URL), "token")
	if err != nil {
		return nil, err
	}
	if strings.Trim(u.Path, "/") == "" {
		return nil, settingErr("url", "names no topic: use the topic's URL, e.g. https://ntfy.sh/mytopic")
	}
	if strings.ContainsFunc(s.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, settingErr("token", "must not contain spaces or control characters")
	}
	n := &ntfy{url: u.String(), label: "ntfy " + redactURL(u), token: s.Token, client: noRedirects(env.httpClient())}
	switch p := strings.ToLower(strings.TrimSpace(s.Priority)); p {
	case "", "auto":
	default:
		var ok bool
		if n.priority, ok = ntfyPriorities[p]; !ok {
			return nil, settingErr("priority", "must be auto, min, low, default, high or max")
		}
	}
	return n, nil
}

// Send publishes ev to the topic: the details as the message, the title,
// priority and tags as headers, and the monitor page as the click action.
func (n *ntfy) Send(ctx context.Context, ev Event) error {
	ev.AckURL = "" // a topic may have many subscribers
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, strings.NewReader(ntfyBody(ev)))
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", n.label, err))
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	req.Header.Set("User-Agent", userAgent)
	// ntfy decodes RFC 2047 encoded words, the only safe way to send a
	// non-ASCII monitor name in a header.
	req.Header.Set("Title", mime.BEncoding.Encode("utf-8", ev.Title()))
	req.Header.Set("Priority", strconv.Itoa(n.priorityFor(ev)))
	req.Header.Set("Tags", ntfyTag(ev))
	if ev.MonitorURL != "" && !strings.ContainsAny(ev.MonitorURL, "\r\n") {
		req.Header.Set("Click", ev.MonitorURL)
	}
	if n.token != "" {
		req.Header.Set("Authorization", "Bearer "+n.token)
	}
	a, err := do(n.client, req, n.label)
	if err != nil {
		return err
	}
	if a.status/100 != 2 {
		return statusError(n.label, a, ntfyDetail(a.body))
	}
	return nil
}

func ntfyBody(ev Event) string {
	body := ev.Text()
	if len(body) > maxNtfyBody {
		body = clipBytes(body, maxNtfyBody)
	}
	return body
}

func (n *ntfy) priorityFor(ev Event) int {
	if n.priority != 0 {
		return n.priority
	}
	if ev.Severity() == SeverityProblem {
		return ntfyPriorities["high"]
	}
	return ntfyPriorities["default"]
}

// ntfyTag is an emoji short code ntfy shows before the title.
func ntfyTag(ev Event) string {
	switch ev.Kind {
	case KindOpened:
		return "rotating_light"
	case KindReminder:
		return "hourglass"
	case KindResolved:
		return "white_check_mark"
	case KindAcknowledged:
		return "eyes"
	default:
		return "bell"
	}
}

// ntfyDetail reads ntfy's error document:
// {"code":40101,"http":401,"error":"unauthorized","link":"…"}.
func ntfyDetail(body []byte) string {
	var e struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return bodyDetail(body)
	}
	return fmt.Sprintf("%s (ntfy error %d)", oneLine(e.Error, 200), e.Code)
}

// clipBytes cuts s to at most n bytes on a rune boundary, marking the cut.
func clipBytes(s string, n int) string {
	const mark = "…"
	n -= len(mark)
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + mark
}
