package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

func init() {
	Register(Type{
		Name:  "slack",
		Title: "Slack, Mattermost or Rocket.Chat",
		Settings: []Setting{
			{Name: "webhook_url", Kind: "string", Required: true, Secret: true, Help: "The channel's incoming-webhook URL; whoever has it can post to the channel."},
		},
		New: newSlack,
	})
}

type slackSettings struct {
	WebhookURL string `json:"webhook_url"`
}

type slack struct {
	url    string
	label  string
	client *http.Client
}

var _ Notifier = (*slack)(nil)

// slackMessage is the incoming-webhook format: a text for notifications
// and clients without attachments, plus one coloured attachment with the
// details. Slack, Mattermost and Rocket.Chat all render attachments;
// blocks would be Slack-only.
type slackMessage struct {
	Text        string            `json:"text"`
	Attachments []slackAttachment `json:"attachments"`
}

type slackAttachment struct {
	Fallback  string       `json:"fallback"`
	Color     string       `json:"color"`
	Title     string       `json:"title"`
	TitleLink string       `json:"title_link,omitempty"`
	Fields    []slackField `json:"fields"`
	Footer    string       `json:"footer"`
	TS        int64        `json:"ts"`
}

type slackField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

func newSlack(raw json.RawMessage, env Env) (Notifier, error) {
	var s slackSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	u, err := parseHTTPURL("webhook_url", strings.TrimSpace(s.WebhookURL), "webhook_url")
	if err != nil {
		return nil, err
	}
	return &slack{url: u.String(), label: "slack " + redactURL(u), client: noRedirects(env.httpClient())}, nil
}

// Send posts ev to the channel. The URL is the secret, so errors name only
// its host.
func (s *slack) Send(ctx context.Context, ev Event) error {
	ev.AckURL = "" // everyone in the channel could use it
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // the texts are escaped for Slack already
	if err := enc.Encode(slackPayload(ev)); err != nil {
		return permanent(fmt.Errorf("%s: %w", s.label, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, &body)
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", s.label, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	a, err := do(s.client, req, s.label)
	if err != nil {
		return err
	}
	if a.status/100 != 2 {
		// Slack answers with a short code such as "invalid_token" or
		// "channel_is_archived".
		return statusError(s.label, a, bodyDetail(a.body))
	}
	return nil
}

func slackPayload(ev Event) slackMessage {
	att := slackAttachment{
		Fallback:  slackEscape(ev.Summary()),
		Color:     slackColor(ev),
		Title:     slackEscape(ev.Title()),
		TitleLink: ev.MonitorURL,
		Footer:    "Vigil",
		TS:        ev.At.Unix(),
	}
	for _, f := range ev.Facts() {
		short := f.Label != "Last message" && f.Label != "Acknowledged" && f.Label != "Check"
		att.Fields = append(att.Fields, slackField{Title: f.Label, Value: slackEscape(f.Value), Short: short})
	}
	return slackMessage{Text: slackEscape(ev.Summary()), Attachments: []slackAttachment{att}}
}

func slackColor(ev Event) string {
	switch {
	case ev.Kind == KindAcknowledged:
		return "#f79009" // amber: still down, but someone is on it
	case ev.Severity() == SeverityProblem:
		return "#d92d20"
	case ev.Severity() == SeverityOK:
		return "#12b76a"
	default:
		return "#667085"
	}
}

// slackEscape escapes the three characters Slack's message format gives
// meaning to, so a monitor named "<!channel>" cannot ping a whole channel.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
