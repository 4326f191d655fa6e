package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// Retry policy: exponential backoff from retryBase, at most retryCap
// apart, jittered ±10% so that entries failing together do not retry in
// lockstep; give up after maxAttempts or giveUpAfter, whichever is first.
const (
	retryBase   = 5 * time.Second
	retryCap    = 10 * time.Minute
	maxAttempts = 20
	giveUpAfter = 24 * time.Hour
	// maxErrorText bounds a provider's error kept in the log.
	maxErrorText = 500
)

// backoff is the delay before attempt n+1 after n failed attempts (n >= 1).
func backoff(n int) time.Duration {
	d := retryCap
	if n < 16 {
		d = min(retryBase<<(n-1), retryCap)
	}
	jitter := 0.9 + 0.2*rand.Float64()
	return min(time.Duration(float64(d)*jitter), retryCap)
}

// deliver makes one attempt at e and records it: sent, retried later,
// given up, suppressed or cancelled. When ctx ends during the attempt
// nothing is recorded: the entry stays queued and is sent again after a
// restart (delivery is at least once).
func (d *Dispatcher) deliver(ctx context.Context, e store.OutboxEntry) {
	a := store.NotificationAttempt{
		IncidentID: e.IncidentID, MonitorID: e.MonitorID, ContactID: e.ContactID,
		Event: e.Event, Step: e.Step, At: time.Now(),
	}
	var ev notify.Event
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		d.drop(e, a, ResultGaveUp, "the queued message is unreadable: "+err.Error())
		return
	}
	a.NotifiedAfter = a.At.Sub(ev.At)
	contact, err := d.st.Contact(e.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		d.drop(e, a, ResultCancelled, "the contact was deleted")
		return
	}
	if err != nil {
		d.failed(e, a, a.At, fmt.Errorf("read contact: %w", err))
		return
	}
	a.ContactName, a.ContactType = contact.Name, contact.Type
	v, err := d.decide(e, &ev, contact)
	if err != nil {
		d.failed(e, a, a.At, err)
		return
	}
	if v.result == ResultHeld {
		d.hold(e, a, v.holdUntil, v.why)
		return
	}
	if v.result != "" {
		d.drop(e, a, v.result, v.why)
		if v.remindAgain {
			d.remindAgain(e, ev)
		}
		return
	}
	var firstTry time.Time
	a.Attempt, firstTry = d.attemptNo(e, a.At)
	err = d.sendNow(ctx, contact, ev)
	if ctx.Err() != nil {
		return
	}
	d.sendResult(contact.ID, err)
	a.At = time.Now()
	a.NotifiedAfter = a.At.Sub(ev.At)
	if err != nil {
		d.failed(e, a, firstTry, err)
		return
	}
	a.Result = ResultSent
	if err := d.st.CompleteNotification(e.ID, a); err != nil && !errors.Is(err, store.ErrNotFound) {
		d.log.Error("record sent notification", "entry", e.ID, "err", err)
	}
	d.log.Info("notification sent", "incident", e.IncidentID, "event", e.Event, "step", e.Step,
		"contact", contact.Name, "type", contact.Type, "after", a.NotifiedAfter.Round(time.Millisecond))
	if v.remindAgain {
		d.remindAgain(e, ev)
	}
}

// sendNow runs the sender under the send timeout. A sender that ignores
// its context is abandoned when the timeout passes, so it holds no slot.
func (d *Dispatcher) sendNow(ctx context.Context, contact store.Contact, ev notify.Event) error {
	ctx, cancel := context.WithTimeout(ctx, d.sendTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.send(ctx, contact, ev) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s", d.sendTimeout)
	}
}

// attemptNo numbers the attempt about to be made at e, and says when the
// first one was made: the entry's Attempts also counts the times it was
// held back, so the failures are counted in the log. An entry never tried
// costs no read.
func (d *Dispatcher) attemptNo(e store.OutboxEntry, now time.Time) (int, time.Time) {
	if e.Attempts == 0 {
		return 1, now
	}
	log, err := d.st.NotificationLog(e.IncidentID, 0)
	if err != nil {
		d.log.Error("read notification log", "incident", e.IncidentID, "err", err)
		return e.Attempts + 1, e.CreatedAt
	}
	n, first := 1, now
	for _, l := range log {
		if l.ContactID == e.ContactID && l.Event == e.Event && l.Step == e.Step && l.Result == ResultRetrying {
			if n == 1 {
				first = l.At
			}
			n++
		}
	}
	return n, first
}

// failed records a failed attempt: retried later with backoff, or given
// up for good (a permanent error, too many attempts, too long since the
// first attempt).
func (d *Dispatcher) failed(e store.OutboxEntry, a store.NotificationAttempt, firstTry time.Time, err error) {
	a.Error = truncate(err.Error(), maxErrorText)
	if a.Attempt == 0 { // failed before any attempt was numbered
		a.Attempt, firstTry = d.attemptNo(e, a.At)
	}
	var perm *notify.PermanentError
	switch {
	case errors.As(err, &perm):
		d.drop(e, a, ResultGaveUp, a.Error)
	case a.Attempt >= maxAttempts || a.At.Sub(firstTry) >= giveUpAfter:
		d.drop(e, a, ResultGaveUp, a.Error)
	default:
		a.Result = ResultRetrying
		next := a.At.Add(backoff(a.Attempt))
		if err := d.st.RetryNotification(e.ID, next, a); err != nil && !errors.Is(err, store.ErrNotFound) {
			d.log.Error("record failed notification", "entry", e.ID, "err", err)
		}
		d.log.Warn("notification failed, will retry", "incident", e.IncidentID, "event", e.Event,
			"contact", a.ContactName, "attempt", a.Attempt, "retry_at", next, "err", a.Error)
	}
}

// drop removes e without sending it and logs why.
func (d *Dispatcher) drop(e store.OutboxEntry, a store.NotificationAttempt, result, why string) {
	a.Result, a.Error = result, why
	if err := d.st.DropNotification(e.ID, a); err != nil && !errors.Is(err, store.ErrNotFound) {
		d.log.Error("record dropped notification", "entry", e.ID, "err", err)
	}
	level := d.log.Info
	if result == ResultGaveUp {
		level = d.log.Error
	}
	level("notification not sent", "result", result, "incident", e.IncidentID, "event", e.Event,
		"step", e.Step, "contact", a.ContactName, "why", why)
}

// hold puts e back in the outbox until until, when it is decided again
// (a parent is down, a maintenance window is on). It is not an attempt:
// it counts toward no retry limit.
func (d *Dispatcher) hold(e store.OutboxEntry, a store.NotificationAttempt, until time.Time, why string) {
	a.Result, a.Error = ResultHeld, why
	if err := d.st.RetryNotification(e.ID, until, a); err != nil && !errors.Is(err, store.ErrNotFound) {
		d.log.Error("record held notification", "entry", e.ID, "err", err)
	}
	d.log.Info("notification held", "incident", e.IncidentID, "event", e.Event, "step", e.Step,
		"contact", a.ContactName, "why", why, "until", until)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}
