package alerting

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// serverLocation is the location name of checks the server runs itself.
const serverLocation = "server"

// payload is the notify.Event for kind about inc, as JSON: frozen in the
// outbox when queued, so a retry says what the first attempt said.
func (d *Dispatcher) payload(kind string, m store.Monitor, inc store.Incident, at time.Time) (json.RawMessage, error) {
	ev := notify.Event{
		Kind:     kind,
		Monitor:  notify.Monitor{ID: m.ID, Name: m.Name, Type: m.Type, Target: m.Target},
		Incident: notifyIncident(inc),
		At:       at.UTC(),
		Location: d.failingAt(m.ID),
	}
	if m.ID != "" && d.publicURL != "" {
		ev.MonitorURL = d.publicURL + "/monitors/" + url.PathEscape(m.ID)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode notification: %w", err)
	}
	return b, nil
}

func notifyIncident(inc store.Incident) *notify.Incident {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return &notify.Incident{
		ID:             inc.ID,
		StartedAt:      inc.StartedAt.UTC(),
		EndedAt:        utc(inc.EndedAt),
		Status:         inc.Status,
		Message:        inc.Message,
		AcknowledgedBy: inc.AcknowledgedBy,
		AcknowledgedAt: utc(inc.AcknowledgedAt),
		AckNote:        inc.AckNote,
	}
}

// failingAt names the locations where monitor id fails now ("server,
// web-eu-1"): agents by name, as people know them.
func (d *Dispatcher) failingAt(id string) string {
	s, ok := d.state(id)
	if !ok {
		return ""
	}
	var names []string
	for _, loc := range slices.Sorted(maps.Keys(s.Locations)) {
		if s.Locations[loc].Status != checks.StatusProblem {
			continue
		}
		name := loc
		if loc != serverLocation {
			if a, err := d.st.Agent(loc); err == nil && a.Name != "" {
				name = a.Name
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
