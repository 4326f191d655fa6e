package alerting

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// staleTest: a test message still queued this long after it was made was
// left by a restart during the test; the person who asked has gone.
const staleTest = 10 * time.Minute

// maxHold bounds how far one decision holds a message back: a
// maintenance window edited, shortened or deleted after messages were
// held releases them at its old end or within this, whichever is sooner.
const maxHold = time.Hour

// verdict is what to do with an entry that is due. An empty result means
// send it.
type verdict struct {
	result, why string    // ResultHeld, ResultSuppressed or ResultCancelled, and why
	holdUntil   time.Time // with ResultHeld: when to decide again
	remindAgain bool      // queue the contact's next reminder
}

// decide applies the rules that depend on the moment of sending, not of
// queuing: the incident may have ended or been acknowledged, a parent
// may be down, a maintenance window may be on. It also puts the
// one-click acknowledgement link into an email's event.
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
	now := time.Now()
	switch e.Event {
	case EventOpened, EventReminder:
		return d.decideOpen(e, ev, c, inc, m, known, now), nil
	case EventAcknowledged, EventResolved:
		log, err := d.st.NotificationLog(inc.ID, 0)
		if err != nil {
			return verdict{}, fmt.Errorf("read notification log: %w", err)
		}
		if !toldBefore(log, c.ID) {
			return verdict{result: ResultSuppressed, why: "this contact was not told of the incident"}, nil
		}
		// A parent being down does not matter: this contact was paged
		// and must hear how it ended. A window only delays the news.
		if name, until, active := d.maintenanceUntil(m, known, now); active {
			return verdict{result: ResultHeld, why: "in maintenance " + name, holdUntil: until}, nil
		}
		return verdict{}, nil
	}
	return verdict{result: ResultCancelled, why: fmt.Sprintf("unknown event %q", e.Event)}, nil
}

// decideOpen rules an opening message, an escalation step or a reminder.
// While a parent is down or a maintenance window is on, an opening
// message or step is held and decided again later (sent then if the
// incident is still open); a reminder is skipped and the chain goes on,
// so the contact hears again once it is over. Both stop with the
// incident; steps and reminders also with its acknowledgement.
func (d *Dispatcher) decideOpen(e store.OutboxEntry, ev *notify.Event, c store.Contact, inc store.Incident, m store.Monitor, known bool, now time.Time) verdict {
	remind := known && m.RemindEvery > 0 && (e.Event == EventReminder || e.Step == 0)
	switch {
	case inc.Status != store.IncidentOpen:
		return verdict{result: ResultCancelled, why: "the incident has ended"}
	case inc.AcknowledgedAt != nil && (e.Step > 0 || e.Event == EventReminder):
		return verdict{result: ResultCancelled, why: acknowledgedBy(inc)}
	}
	hold := func(why string, until time.Time) verdict {
		if e.Event == EventReminder {
			return verdict{result: ResultSuppressed, why: why, remindAgain: remind}
		}
		return verdict{result: ResultHeld, why: why, holdUntil: until}
	}
	if known {
		if why, until, held := d.parentHold(m, now, e.Attempts); held {
			return hold(why, until)
		}
	}
	if name, until, active := d.maintenanceUntil(m, known, now); active {
		return hold("in maintenance "+name, until)
	}
	if c.Type == "email" && d.signer != nil && inc.AcknowledgedAt == nil {
		ev.AckURL = d.signer.Link(inc.ID, c.ID, now.Add(AckLinkTTL))
	}
	return verdict{remindAgain: remind}
}

// contactActor marks an acknowledgement made by a contact through its
// signed link: the server records it as "contact:Ops mail (email link)",
// so the audit log tells it from a user.
const contactActor = "contact:"

// acknowledgedBy says, for the notification log, who acknowledged inc
// as people name them: "acknowledged by Ops mail (email link)" for a
// contact, "acknowledged by alice" for a user. The incident keeps the
// stored actor with its prefix; only what people read drops it.
func acknowledgedBy(inc store.Incident) string {
	return "acknowledged by " + strings.TrimPrefix(inc.AcknowledgedBy, contactActor)
}

// parentHold reports whether an opening message of m must wait for a
// parent, why, and until when to wait before deciding again. A parent in
// problem holds it for m's grace period, then twice that, and so on up to
// maxGrace at a time (held counts the holds so far), so a long outage
// logs a few lines an hour, not hundreds. A parent that recovered moments
// ago holds it until m has had a check of its own since (its interval
// plus a margin, at most maxGrace): m failing only because of the parent
// recovers with that check, and nobody is paged for it.
func (d *Dispatcher) parentHold(m store.Monitor, now time.Time, held int) (string, time.Time, bool) {
	if parent, down := d.parentDown(m); down {
		grace := max(d.grace(m), time.Second)
		return parentDownError(parent), now.Add(max(min(grace<<min(held, 8), maxGrace), grace)), true
	}
	settle := min(cmp.Or(m.Interval, time.Minute)+graceMargin, maxGrace)
	var name string
	var until time.Time
	for _, id := range m.DependsOn {
		p, ok := d.monitor(id)
		if !ok || p.Paused {
			continue
		}
		s, ok := d.state(id)
		if !ok || s.Since.IsZero() {
			continue
		}
		if end := s.Since.Add(settle); end.After(now) && end.After(until) {
			name, until = cmp.Or(p.Name, p.ID), end
		}
	}
	if until.IsZero() {
		return "", time.Time{}, false
	}
	return parentDownPrefix + name + " recovered moments ago", until, true
}

// maintenanceUntil reports whether m is in a maintenance window now, its
// name, and when to decide again: when the last window on now ends, at
// most maxHold from now.
func (d *Dispatcher) maintenanceUntil(m store.Monitor, known bool, now time.Time) (string, time.Time, bool) {
	if !known {
		return "", time.Time{}, false
	}
	var name string
	var until time.Time
	for _, w := range d.windows() {
		if !covers(w, m) || !w.ActiveAt(now) {
			continue
		}
		end := w.NextChange(now)
		if end.IsZero() || end.After(now.Add(maxHold)) {
			end = now.Add(maxHold)
		}
		if end.After(until) {
			name, until = w.Name, end
		}
	}
	return name, until, !until.IsZero()
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
