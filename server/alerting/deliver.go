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
		Event: e.Event, Step: e.Step, Attempt: e.Attempts + 1, At: time.Now(),
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
		d.failed(e, a, fmt.Errorf("read contact: %w", err))
		return
	}
	a.ContactName, a.ContactType = contact.Name, contact.Type
	v, err := d.decide(e, &ev, contact)
	if err != nil {
		d.failed(e, a, err)
		return
	}
	if v.result != "" {
		d.drop(e, a, v.result, v.why)
		if v.quietIncident {
			d.quietIncident(e, v.why)
		}
		if v.remindAgain {
			d.remindAgain(e, ev)
		}
		return
	}
	err = d.sendNow(ctx, contact, ev)
	if ctx.Err() != nil {
		return
	}
	a.At = time.Now()
	a.NotifiedAfter = a.At.Sub(ev.At)
	if err != nil {
		d.failed(e, a, err)
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

// failed records a failed attempt: retried later with backoff, or given
// up for good (a permanent error, too many attempts, too old).
func (d *Dispatcher) failed(e store.OutboxEntry, a store.NotificationAttempt, err error) {
	a.Error = truncate(err.Error(), maxErrorText)
	var perm *notify.PermanentError
	switch {
	case errors.As(err, &perm):
		d.drop(e, a, ResultGaveUp, a.Error)
	case a.Attempt >= maxAttempts || a.At.Sub(e.CreatedAt) >= giveUpAfter:
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

// quietIncident cancels everything else queued for e's incident: its
// parent is down, so nothing is sent about it from now on.
func (d *Dispatcher) quietIncident(e store.OutboxEntry, why string) {
	d.mu.Lock()
	n, err := d.st.CancelNotifications(e.IncidentID, func(o store.OutboxEntry) bool {
		_, sending := d.inflight[o.ID]
		return !sending
	}, store.NotificationAttempt{At: time.Now(), Result: ResultSuppressed, Error: why})
	d.mu.Unlock()
	if err != nil {
		d.log.Error("cancel notifications of a suppressed incident", "incident", e.IncidentID, "err", err)
		return
	}
	if n > 0 {
		d.log.Info("notifications suppressed", "incident", e.IncidentID, "count", n, "why", why)
	}
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
