package notify

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

func init() {
	Register(Type{
		Name:     "sms",
		Title:    "SMS (Twilio)",
		Settings: twilioSettingList("messages"),
		New: func(raw json.RawMessage, env Env) (Notifier, error) {
			t, err := newTwilio(raw, env)
			if err != nil {
				return nil, err
			}
			return &sms{t}, nil
		},
	})
}

// maxSMS is one SMS segment in the GSM-7 alphabet. Longer texts are split
// and billed per segment, and a pager message needs no more.
const maxSMS = 160

type sms struct{ t *twilio }

var _ Notifier = (*sms)(nil)

// Send texts every number through Twilio's Messages resource.
func (s *sms) Send(ctx context.Context, ev Event) error {
	body := smsText(ev)
	return s.t.sendAll(ctx, "Messages", func(to string) url.Values {
		return url.Values{"To": {to}, "From": {s.t.from}, "Body": {body}}
	})
}

// smsText is the summary in at most one segment, with ASCII punctuation:
// one character outside GSM-7 (an em dash, an ellipsis) would make the
// whole message UCS-2 and cut a segment to 70 characters.
func smsText(ev Event) string {
	s := strings.ReplaceAll(ev.summary(" - "), "…", "...")
	if r := []rune(s); len(r) > maxSMS {
		s = string(r[:maxSMS-3]) + "..."
	}
	return s
}
