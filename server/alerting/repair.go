package alerting

import (
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
)

// The repair looks back no further than repairWindow, and among closed
// incidents at the repairScan most recent: older news is no longer worth
// a page.
const (
	repairWindow = 24 * time.Hour
	repairScan   = 1000
)

// repair queues the news the engine committed but the outbox never got:
// the server stopped (or the store failed) between the incident's write
// and the dispatcher's. It runs when Run starts and after the intake
// dropped jobs. For each incident that changed since the cutoff (the later
// of 24 hours ago and the moment alerting first ran on this data
// directory, so an upgrade or a long downtime pages nobody about old
// incidents):
//   - open, and nothing about its opening is queued or logged: decided
//     again as if it had just opened, targets from the monitor as it is;
//   - resolved, someone was sent a message about it, and its end is
//     neither queued nor logged: they hear of the end (this also covers
//     incidents the server resolves at startup, reconcileIncidents);
//   - open and acknowledged, likewise for the acknowledgement.
func (d *Dispatcher) repair(now time.Time) error {
	since, err := d.st.AlertingSince(now)
	if err != nil {
		return err
	}
	cutoff := now.Add(-repairWindow)
	if since.After(cutoff) {
		cutoff = since
	}
	open, err := d.st.Incidents(store.IncidentQuery{Open: true})
	if err != nil {
		return fmt.Errorf("read open incidents: %w", err)
	}
	recent, err := d.st.Incidents(store.IncidentQuery{Limit: repairScan})
	if err != nil {
		return fmt.Errorf("read recent incidents: %w", err)
	}
	seen := map[string]bool{}
	repaired := 0
	for _, inc := range append(open, recent...) {
		if seen[inc.ID] {
			continue
		}
		seen[inc.ID] = true
		event := repairEvent(inc, cutoff)
		if event == "" {
			continue
		}
		did, err := d.repairOne(inc, event)
		if err != nil {
			return fmt.Errorf("incident %s: %w", inc.ID, err)
		}
		if did {
			repaired++
			d.log.Warn("notifications repaired: the server stopped before queuing them", "incident", inc.ID, "event", event)
		}
	}
	if repaired > 0 {
		d.log.Info("repair done", "incidents", repaired, "since", cutoff)
	}
	return nil
}

// repairEvent is the news about inc the repair checks, or "" when inc has
// not changed since cutoff.
func repairEvent(inc store.Incident, cutoff time.Time) string {
	after := func(t *time.Time) bool { return t != nil && !t.Before(cutoff) }
	switch {
	case inc.Status == store.IncidentResolved:
		if after(inc.EndedAt) {
			return EventResolved
		}
	case after(inc.AcknowledgedAt):
		return EventAcknowledged
	case !inc.StartedAt.Before(cutoff):
		return EventOpened
	}
	return ""
}

// repairOne queues event about inc when the outbox and the log show it was
// never handled, and reports whether it did.
func (d *Dispatcher) repairOne(inc store.Incident, event string) (bool, error) {
	pending, err := d.st.PendingNotifications(inc.ID)
	if err != nil {
		return false, fmt.Errorf("read pending notifications: %w", err)
	}
	log, err := d.st.NotificationLog(inc.ID, 0)
	if err != nil {
		return false, fmt.Errorf("read notification log: %w", err)
	}
	handled, paged := false, false
	for _, e := range pending {
		handled = handled || e.Event == event || event == EventOpened
	}
	for _, a := range log {
		handled = handled || a.Event == event
		paged = paged || a.Result == ResultSent
	}
	switch {
	case handled:
		return false, nil
	case event == EventOpened:
		if err := d.onOpened(engine.Event{Kind: engine.IncidentOpened, MonitorID: inc.MonitorID, At: inc.StartedAt, Incident: &inc}, inc); err != nil {
			return false, err
		}
		// A monitor nobody hears of queues nothing: nothing was missing,
		// and saying "repaired" at every start would be noise.
		queued, err := d.st.PendingNotifications(inc.ID)
		return len(queued) > 0, err
	case !paged: // nobody to tell of the end or the acknowledgement
		return false, nil
	case event == EventResolved:
		return true, d.onResolved(inc, "")
	default:
		return true, d.onAcknowledged(inc)
	}
}
