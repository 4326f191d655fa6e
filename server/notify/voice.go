package notify

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"
)

func init() {
	Register(Type{
		Name:     "voice",
		Title:    "Voice call (Twilio)",
		Settings: twilioSettingList("calls"),
		New: func(raw json.RawMessage, env Env) (Notifier, error) {
			t, err := newTwilio(raw, env)
			if err != nil {
				return nil, err
			}
			return &voice{t}, nil
		},
	})
}

type voice struct{ t *twilio }

var _ Notifier = (*voice)(nil)

// Send calls every number through Twilio's Calls resource with inline
// TwiML that says the message twice: the first time is often lost while
// the person picks up the phone.
func (v *voice) Send(ctx context.Context, ev Event) error {
	twiml := voiceTwiML(spokenText(ev))
	return v.t.sendAll(ctx, "Calls", func(to string) url.Values {
		return url.Values{"To": {to}, "From": {v.t.from}, "Twiml": {twiml}}
	})
}

// voiceTwiML is <Response><Say>text</Say><Pause/><Say>text</Say></Response>
// with text XML-escaped.
func voiceTwiML(text string) string {
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(text)) // writes to a Builder never fail
	say := "<Say>" + esc.String() + "</Say>"
	return `<?xml version="1.0" encoding="UTF-8"?><Response>` + say + `<Pause length="1"/>` + say + `</Response>`
}

// spokenText is the event as a sentence to be read aloud: no URLs or
// targets, which a speech engine spells out letter by letter.
func spokenText(ev Event) string {
	name := ev.monitorName()
	msg := oneLine(ev.message(), 200)
	var s string
	switch ev.Kind {
	case KindOpened:
		s = fmt.Sprintf("Problem: %s is down.", name)
	case KindReminder:
		s = fmt.Sprintf("Reminder: %s is still down, for %s now.", name, spokenDuration(ev.Downtime()))
	case KindResolved:
		s = fmt.Sprintf("Resolved: %s is back up, after %s.", name, spokenDuration(ev.Downtime()))
		msg = ""
	case KindAcknowledged:
		who := "someone"
		if ev.Incident != nil && ev.Incident.AcknowledgedBy != "" {
			who = oneLine(ev.Incident.AcknowledgedBy, maxNameLen)
		}
		s = fmt.Sprintf("The problem with %s was acknowledged by %s.", name, who)
		msg = ""
	case KindTest:
		return "This is Vigil with a test call. If you can hear this, this contact works."
	default:
		s = fmt.Sprintf("%s: %s.", ev.Headline(), name)
	}
	if msg != "" {
		s += " The check said: " + msg
	}
	return "This is Vigil. " + s
}

// spokenDuration is a duration in words: "4 minutes 12 seconds".
func spokenDuration(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	var parts []string
	for _, u := range units {
		if n := int64(d / u.size); n > 0 && len(parts) < 2 {
			d -= time.Duration(n) * u.size
			word := u.name
			if n != 1 {
				word += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		} else if len(parts) > 0 {
			break // "1 hour 5 minutes", never "1 hour 12 seconds"
		}
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}
