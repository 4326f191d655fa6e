package alerting

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// staleTest: a test message still queued this long after it was made was
// left by a restart during the test; the person who asked has gone.
const staleTest = 10 * time.Minute

// verdict is what to do with an entry that is due. An empty result means
// send it.
type verdict struct {
	result, why   string // ResultSuppressed or ResultCancelled, and why
	quietIncident bool   // suppress everything else queued for the incident
	remindAgain   bool   // queue the contact's next reminder
}

// decide applies the rules that depend on the moment of sending, not of
// queuing: the incident may have ended or been acknowledged, a parent
// may have gone down, a maintenance window may have begun. It also puts
// the one-click acknowledgement link into an email's event.
func (d *Dispatcher) decide(e store.OutboxEntry, ev *notify.Event, c store.Contact) (verdict, error) {
	if e.Event == EventTest {
		if time.Since(e.CreatedAt) > staleTest {
			return verdict{result: ResultCancelled, why: "a test message left queued by a restart"}, nil
		}
		return verdict{}, nil
	}
	inc, err := d.st.Incident(e.IncidentID)
	if errors.Is(err, store.ErrNotFound) {
		return verdict{result: ResultCancelled, why: "the incident no longer exists"}, nil
	}
	if err != nil {
		return verdict{}, fmt.Errorf("read incident: %w", err)
	}
	m, known := d.monitor(e.MonitorID)
	switch e.Event {
	case EventOpened, EventReminder:
		return d.decideOpen(e, ev, c, inc, m, known), nil
	case EventAcknowledged, EventResolved:
		log, err := d.st.NotificationLog(inc.ID, 0)
		if err != nil {
			return verdict{}, fmt.Errorf("read notification log: %w", err)
		}
		if parent, quiet := suppressedByParent(log); quiet {
			return verdict{result: ResultSuppressed, why: parentDownError(parent)}, nil
		}
		if !toldBefore(log, c.ID) {
			return verdict{result: ResultSuppressed, why: "this contact was not told of the incident"}, nil
		}
		if name, active := d.inMaintenance(m, known); active {
			return verdict{result: ResultSuppressed, why: "in maintenance " + name}, nil
		}
		return verdict{}, nil
	}
	return verdict{result: ResultCancelled, why: fmt.Sprintf("unknown event %q", e.Event)}, nil
}

// decideOpen rules an opening message, an escalation step or a reminder.
// A reminder chain continues past a maintenance window or a parent's
// outage (the contact hears again once it is over) but stops with the
// incident or its acknowledgement.
func (d *Dispatcher) decideOpen(e store.OutboxEntry, ev *notify.Event, c store.Contact, inc store.Incident, m store.Monitor, known bool) verdict {
	remind := known && m.RemindEvery > 0 && (e.Event == EventReminder || e.Step == 0)
	switch {
	case inc.Status != store.IncidentOpen:
		return verdict{result: ResultCancelled, why: "the incident has ended"}
	case inc.AcknowledgedAt != nil && (e.Step > 0 || e.Event == EventReminder):
		return verdict{result: ResultCancelled, why: "acknowledged by " + inc.AcknowledgedBy}
	}
	if parent, down := d.parentDown(m); known && down {
		return verdict{result: ResultSuppressed, why: parentDownError(parent), quietIncident: true}
	}
	if name, active := d.inMaintenance(m, known); active {
		return verdict{result: ResultSuppressed, why: "in maintenance " + name, remindAgain: remind}
	}
	if c.Type == "email" && d.signer != nil && inc.AcknowledgedAt == nil {
		ev.AckURL = d.signer.Link(inc.ID, c.ID, time.Now().Add(AckLinkTTL))
	}
	return verdict{remindAgain: remind}
}

func (d *Dispatcher) inMaintenance(m store.Monitor, known bool) (string, bool) {
	if !known {
		return "", false
	}
	return d.InMaintenance(m, time.Now())
}

// toldBefore reports whether contact was sent anything about the
// incident: only then does it hear of the acknowledgement or the end.
func toldBefore(log []store.NotificationAttempt, contact string) bool {
	for _, a := range log {
		if a.ContactID == contact && a.Result == ResultSent {
			return true
		}
	}
	return false
}

// remindAgain queues contact's next reminder about e's incident,
// RemindEvery from now, while the incident is open and unacknowledged.
func (d *Dispatcher) remindAgain(e store.OutboxEntry, _ notify.Event) {
	m, ok := d.monitor(e.MonitorID)
	if !ok || m.RemindEvery <= 0 {
		return
	}
	inc, err := d.st.Incident(e.IncidentID)
	if err != nil || inc.Status != store.IncidentOpen || inc.AcknowledgedAt != nil {
		return
	}
	n := 1
	if e.Event == EventReminder {
		n = e.Step + 1
	}
	at := time.Now().Add(m.RemindEvery)
	err = func() error {
		payload, err := d.payload(EventReminder, m, inc, at)
		if err != nil {
			return err
		}
		q, err := d.newQueuer(inc.ID, m.ID, payload)
		if err != nil {
			return err
		}
		q.add(e.ContactID, EventReminder, n, at)
		return q.flush(d.st)
	}()
	if err != nil {
		d.log.Error("queue reminder", "incident", inc.ID, "contact", e.ContactID, "err", err)
		return
	}
	d.poke()
}
