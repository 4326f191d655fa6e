package notify

import (
	"time"
)

// What an event is about: Event.Kind.
const (
	KindOpened       = "incident.opened"
	KindAcknowledged = "incident.acknowledged"
	KindResolved     = "incident.resolved"
	KindReminder     = "incident.reminder"
	KindTest         = "test"
)

// Event is what a notification says. The dispatcher builds it and freezes
// it in the outbox as JSON, so a retry says what the first attempt said.
type Event struct {
	Kind     string    `json:"event"`
	Monitor  Monitor   `json:"monitor"`
	Incident *Incident `json:"incident,omitempty"` // nil for test events
	At       time.Time `json:"at"`
	// MonitorURL links to the monitor's page for people.
	MonitorURL string `json:"monitor_url,omitempty"`
	// AckURL is a signed one-click acknowledgement link, filled per
	// contact at send time and used by e-mail only: anyone holding it can
	// acknowledge, so it is never frozen in the outbox, sent to a webhook
	// or posted to a shared channel.
	AckURL string `json:"-"`
	// Location names where the check fails, e.g. "server, web-eu-1".
	Location string `json:"location,omitempty"`
}

// Monitor is the monitor an event is about.
type Monitor struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Target string `json:"target"`
}

// Incident is the incident an event is about, shaped as the incidents API
// shows it.
type Incident struct {
	ID             string     `json:"id"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
	Status         string     `json:"status"`
	Message        string     `json:"message"`
	AcknowledgedBy string     `json:"acknowledged_by"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AckNote        string     `json:"ack_note"`
}

// Severity sorts events for colours and priorities.
type Severity int

const (
	SeverityInfo    Severity = iota // test, acknowledged
	SeverityOK                      // resolved
	SeverityProblem                 // opened, reminder
)

// Severity says how bad the news in ev is.
func (ev Event) Severity() Severity {
	switch ev.Kind {
	case KindOpened, KindReminder:
		return SeverityProblem
	case KindResolved:
		return SeverityOK
	default:
		return SeverityInfo
	}
}

// Headline is the event's first word, in capitals: PROBLEM, RESOLVED,
// ACKNOWLEDGED, REMINDER or TEST.
func (ev Event) Headline() string {
	switch ev.Kind {
	case KindOpened:
		return "PROBLEM"
	case KindResolved:
		return "RESOLVED"
	case KindAcknowledged:
		return "ACKNOWLEDGED"
	case KindReminder:
		return "REMINDER"
	case KindTest:
		return "TEST"
	default:
		return oneLine(ev.Kind, 40)
	}
}

// Downtime is how long the incident lasted (resolved) or has lasted so
// far (at the event's time); 0 without an incident.
func (ev Event) Downtime() time.Duration {
	inc := ev.Incident
	if inc == nil || inc.StartedAt.IsZero() {
		return 0
	}
	end := ev.At
	if inc.EndedAt != nil {
		end = *inc.EndedAt
	}
	return max(end.Sub(inc.StartedAt), 0)
}

// message is the incident's last check message, or "".
func (ev Event) message() string {
	if ev.Incident == nil {
		return ""
	}
	return ev.Incident.Message
}
