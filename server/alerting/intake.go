package alerting

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
)

// The intake never gives a job up while the store fails: it retries the
// job at the head of its queue, 1 s, 2 s, 4 s, … at most intakeRetryCap
// apart, keeping the order. Meanwhile at most maxQueuedJobs wait in
// memory (a few MB); beyond that new jobs are dropped, and once the queue
// is empty again the repair (repair.go) runs to queue what they would
// have, from the stored incidents.
const (
	intakeRetryCap = time.Minute
	maxQueuedJobs  = 10000
)

// job is one thing that happened to an incident: an engine event
// (opened, resolved) or an acknowledgement.
type job struct {
	ev    engine.Event
	acked bool
	inc   store.Incident
}

func (d *Dispatcher) push(j job) {
	d.qMu.Lock()
	if len(d.queue) >= maxQueuedJobs {
		first := !d.overflowed
		d.overflowed = true
		d.qMu.Unlock()
		if first {
			d.log.Error("too many incident events waiting to be queued; the rest are recovered from the stored incidents once the store answers again",
				"waiting", maxQueuedJobs, "incident", j.inc.ID)
		}
		return
	}
	d.queue = append(d.queue, j)
	d.qMu.Unlock()
	select {
	case d.queued <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) pop() (job, bool) {
	d.qMu.Lock()
	defer d.qMu.Unlock()
	if len(d.queue) == 0 {
		return job{}, false
	}
	j := d.queue[0]
	d.queue[0] = job{}
	d.queue = d.queue[1:]
	return j, true
}

// pushFront puts back a job that failed, to be tried again first.
func (d *Dispatcher) pushFront(j job) {
	d.qMu.Lock()
	d.queue = append([]job{j}, d.queue...)
	d.qMu.Unlock()
}

// takeOverflow reports (and clears) whether jobs were dropped since the
// last repair, once the queue is empty.
func (d *Dispatcher) takeOverflow() bool {
	d.qMu.Lock()
	defer d.qMu.Unlock()
	if !d.overflowed || len(d.queue) > 0 {
		return false
	}
	d.overflowed = false
	return true
}

// intake first repairs what a previous run left undone (repair.go), then
// turns jobs into outbox entries, one at a time and in the order they
// came, so "resolved" is never handled before its "opened". When ctx ends
// it tries once to queue what is left and returns; what fails then is
// repaired at the next start.
func (d *Dispatcher) intake(ctx context.Context) {
	needRepair, failures := true, 0
	for ctx.Err() == nil {
		var err error
		var j job
		if needRepair || d.takeOverflow() {
			needRepair = true
			if err = d.repair(time.Now()); err == nil {
				needRepair = false
			}
		} else {
			var ok bool
			if j, ok = d.pop(); !ok {
				select {
				case <-d.queued:
				case <-ctx.Done():
				}
				continue
			}
			if err = d.handle(j); err != nil {
				d.pushFront(j)
			}
		}
		if err == nil {
			failures = 0
			d.poke()
			continue
		}
		failures++
		wait := intakeRetryCap
		if failures <= 6 {
			wait = min(time.Second<<(failures-1), intakeRetryCap)
		}
		d.log.Warn("queue notifications, will retry", "incident", j.inc.ID, "repair", needRepair, "retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	for j, ok := d.pop(); ok; j, ok = d.pop() {
		if err := d.handle(j); err != nil {
			d.log.Error("notifications not queued at shutdown; the next start repairs them", "incident", j.inc.ID, "err", err)
		}
	}
}

func (d *Dispatcher) handle(j job) error {
	switch {
	case j.acked:
		return d.onAcknowledged(j.inc)
	case j.ev.Kind == engine.IncidentOpened:
		return d.onOpened(j.ev, j.inc)
	case j.ev.Kind == engine.IncidentResolved:
		return d.onResolved(j.inc, j.ev.MonitorName)
	}
	return nil
}

// onOpened queues the opening message to the immediate targets and one
// per escalation step. A dependant's messages wait for the grace period,
// so that a parent failing at the same time has time to confirm and
// silence them. Opening an incident twice queues nothing new.
func (d *Dispatcher) onOpened(ev engine.Event, inc store.Incident) error {
	m, ok := d.monitor(inc.MonitorID)
	if !ok {
		m = store.Monitor{ID: inc.MonitorID, Name: ev.MonitorName}
	}
	p, err := d.plan(m)
	if err != nil {
		return err
	}
	payload, err := d.payload(EventOpened, m, inc, inc.StartedAt)
	if err != nil {
		return err
	}
	q, err := d.newQueuer(inc.ID, m.ID, payload)
	if err != nil {
		return err
	}
	// Steps count from when we learn of the incident, not from the
	// result's time: an agent's late spool must not page every step at once.
	now := time.Now()
	hold := d.grace(m)
	for _, c := range p.immediate {
		q.add(c, EventOpened, 0, now.Add(hold))
	}
	for _, s := range p.steps {
		for _, c := range s.contacts {
			q.add(c, EventOpened, s.step, now.Add(max(s.after, hold)))
		}
	}
	if len(p.immediate)+len(p.steps) == 0 {
		d.log.Info("incident opened; nobody to notify", "incident", inc.ID, "monitor", m.ID)
	}
	return q.flush(d.st)
}

// onAcknowledged cancels the pending escalation steps and reminders and
// tells everyone notified so far (once each).
func (d *Dispatcher) onAcknowledged(inc store.Incident) error {
	note := acknowledgedBy(inc)
	cancel := func(e store.OutboxEntry) bool {
		return e.Event == EventReminder || (e.Event == EventOpened && e.Step > 0)
	}
	return d.tellNotified(inc, "", EventAcknowledged, cancel, note, timeOr(inc.AcknowledgedAt, time.Now()))
}

// onResolved cancels whatever is pending for the incident and tells
// everyone notified (once each).
func (d *Dispatcher) onResolved(inc store.Incident, monitorName string) error {
	all := func(store.OutboxEntry) bool { return true }
	return d.tellNotified(inc, monitorName, EventResolved, all, "incident resolved", timeOr(inc.EndedAt, time.Now()))
}

// tellNotified cancels the queued entries of inc that cancel accepts
// (except those being sent this moment) and queues event for every
// contact that was sent a message about inc or is being sent one now.
// Whether that one went out is checked again at send time. monitorName
// stands in for a monitor deleted meanwhile.
func (d *Dispatcher) tellNotified(inc store.Incident, monitorName, event string, cancel func(store.OutboxEntry) bool, why string, at time.Time) error {
	now := time.Now()
	d.mu.Lock()
	n, err := d.st.CancelNotifications(inc.ID, func(e store.OutboxEntry) bool {
		_, sending := d.inflight[e.ID]
		return !sending && e.Event != event && cancel(e)
	}, store.NotificationAttempt{At: now, Result: ResultCancelled, Error: why})
	told := map[string]bool{}
	for _, e := range d.inflight {
		if e.IncidentID == inc.ID && e.Event != EventTest {
			told[e.ContactID] = true
		}
	}
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("cancel pending notifications: %w", err)
	}
	if n > 0 {
		d.log.Info("notifications cancelled", "incident", inc.ID, "count", n, "why", why)
	}
	// Read the log only now: a send that finished before the snapshot
	// above is in it, one that had not is in told.
	log, err := d.st.NotificationLog(inc.ID, 0)
	if err != nil {
		return fmt.Errorf("read notification log: %w", err)
	}
	for _, a := range log {
		if a.Result == ResultSent {
			told[a.ContactID] = true
		}
	}
	delete(told, "")
	if len(told) == 0 {
		return nil
	}
	m, ok := d.monitor(inc.MonitorID)
	if !ok {
		m = store.Monitor{ID: inc.MonitorID, Name: monitorName}
	}
	payload, err := d.payload(event, m, inc, at)
	if err != nil {
		return err
	}
	q, err := d.newQueuer(inc.ID, inc.MonitorID, payload)
	if err != nil {
		return err
	}
	for _, c := range sortedKeys(told) {
		q.add(c, event, 0, now)
	}
	return q.flush(d.st)
}

func timeOr(t *time.Time, or time.Time) time.Time {
	if t == nil {
		return or
	}
	return *t
}
