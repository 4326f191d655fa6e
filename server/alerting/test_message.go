package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// Test sends contact a test message now and returns what the provider
// said; the attempt is in the notification log either way. It does not
// retry: the person who asked is waiting for the answer.
func (d *Dispatcher) Test(ctx context.Context, c store.Contact) error {
	now := time.Now()
	ev := notify.Event{Kind: EventTest, Monitor: notify.Monitor{Name: notify.TestMonitorName}, At: now.UTC(), MonitorURL: d.publicURL}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode test message: %w", err)
	}
	// Queued (for the log) but not due for an hour, and claimed at once,
	// so the send loop leaves it to us.
	e := &store.OutboxEntry{ContactID: c.ID, Event: EventTest, NotBefore: now.Add(time.Hour), Payload: payload}
	if err := d.st.EnqueueNotifications([]*store.OutboxEntry{e}); err != nil {
		return fmt.Errorf("queue test message: %w", err)
	}
	d.mu.Lock()
	d.take(*e)
	d.mu.Unlock()
	defer d.release(*e)

	err = d.sendNow(ctx, c, ev)
	a := store.NotificationAttempt{ContactID: c.ID, ContactName: c.Name, ContactType: c.Type, Event: EventTest,
		Attempt: 1, At: time.Now()}
	a.NotifiedAfter = a.At.Sub(now)
	record := d.st.CompleteNotification
	if a.Result = ResultSent; err != nil {
		a.Result, a.Error = ResultFailed, truncate(err.Error(), maxErrorText)
		record = d.st.DropNotification
	}
	if rerr := record(e.ID, a); rerr != nil && !errors.Is(rerr, store.ErrNotFound) {
		d.log.Error("record test message", "contact", c.ID, "err", rerr)
	}
	d.log.Info("test message", "contact", c.Name, "type", c.Type, "result", a.Result, "err", a.Error)
	return err
}
