package alerting

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// queuer collects an incident's new outbox entries, leaving out any that
// was queued or handled before: one message per incident, contact, event
// and step, however often the same news comes in.
type queuer struct {
	incident, monitor string
	payload           json.RawMessage
	have              map[string]bool
	entries           []*store.OutboxEntry
}

func (d *Dispatcher) newQueuer(incidentID, monitorID string, payload json.RawMessage) (*queuer, error) {
	pending, err := d.st.PendingNotifications(incidentID)
	if err != nil {
		return nil, fmt.Errorf("read pending notifications: %w", err)
	}
	log, err := d.st.NotificationLog(incidentID, 0)
	if err != nil {
		return nil, fmt.Errorf("read notification log: %w", err)
	}
	q := &queuer{incident: incidentID, monitor: monitorID, payload: payload, have: map[string]bool{}}
	for _, e := range pending {
		q.have[entryKey(e.ContactID, e.Event, e.Step)] = true
	}
	for _, a := range log {
		q.have[entryKey(a.ContactID, a.Event, a.Step)] = true
	}
	return q, nil
}

func (q *queuer) add(contact, event string, step int, notBefore time.Time) {
	k := entryKey(contact, event, step)
	if q.have[k] {
		return
	}
	q.have[k] = true
	q.entries = append(q.entries, &store.OutboxEntry{
		IncidentID: q.incident, MonitorID: q.monitor, ContactID: contact,
		Event: event, Step: step, NotBefore: notBefore, Payload: q.payload,
	})
}

func (q *queuer) flush(st Store) error {
	if len(q.entries) == 0 {
		return nil
	}
	if err := st.EnqueueNotifications(q.entries); err != nil {
		return fmt.Errorf("queue notifications: %w", err)
	}
	return nil
}

func entryKey(contact, event string, step int) string {
	return contact + "|" + event + "|" + strconv.Itoa(step)
}

// parentDownPrefix starts the reason a message is held for a parent.
const parentDownPrefix = "parent "

func parentDownError(name string) string { return parentDownPrefix + name + " is down" }

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
