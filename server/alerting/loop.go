package alerting

import (
	"context"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// busyPoll is how soon the loop looks again when entries are due but
// none could start (all slots taken, or their contact is being sent an
// earlier message): a hanging send must not hide the next entry's time.
const busyPoll = 200 * time.Millisecond

// sendLoop starts due entries, each in its own goroutine, and sleeps until
// the next falls due, a new one is queued or a send finishes.
func (d *Dispatcher) sendLoop(ctx context.Context, sends *sync.WaitGroup) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		d.startDue(ctx, sends)
		timer.Reset(d.nextWait())
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// nextWait is how long the loop may sleep: until the earliest entry falls
// due, or busyPoll when one is due already but waits for a slot.
func (d *Dispatcher) nextWait() time.Duration {
	next, ok, err := d.st.NextNotificationAt()
	switch {
	case err != nil:
		d.log.Error("read outbox", "err", err)
		return time.Second
	case !ok:
		return time.Hour // a new entry wakes the loop
	}
	if wait := time.Until(next); wait > 0 {
		return wait
	}
	return busyPoll
}

// startDue starts as many due entries as there are free slots, skipping
// those being sent and those whose contact is being sent an earlier
// message about the same incident (so "resolved" never overtakes
// "opened").
func (d *Dispatcher) startDue(ctx context.Context, sends *sync.WaitGroup) {
	d.mu.Lock()
	free, sending := d.concurrency-len(d.inflight), len(d.inflight)
	clear(d.finished)
	d.mu.Unlock()
	if free <= 0 || ctx.Err() != nil {
		return
	}
	due, err := d.st.DueNotifications(time.Now(), sending+free+32)
	if err != nil {
		d.log.Error("read due notifications", "err", err)
		return
	}
	for _, e := range due {
		if free == 0 {
			return
		}
		if !d.claim(e) {
			continue
		}
		free--
		sends.Add(1)
		go func() {
			defer sends.Done()
			d.deliver(ctx, e)
			d.release(e)
			d.poke()
		}()
	}
}

func busyKey(e store.OutboxEntry) string { return e.IncidentID + "|" + e.ContactID }

// claim marks e as being sent, unless it or an entry for the same
// incident and contact is, or it was finished while the due list was
// being read (the list would show it as it was before).
func (d *Dispatcher) claim(e store.OutboxEntry) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.inflight[e.ID]; ok || d.busy[busyKey(e)] > 0 {
		return false
	}
	if _, ok := d.finished[e.ID]; ok {
		return false
	}
	d.inflight[e.ID] = e
	d.busy[busyKey(e)]++
	return true
}

// release ends a claim; call it after the attempt is logged.
func (d *Dispatcher) release(e store.OutboxEntry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inflight, e.ID)
	d.finished[e.ID] = struct{}{}
	if d.busy[busyKey(e)]--; d.busy[busyKey(e)] <= 0 {
		delete(d.busy, busyKey(e))
	}
}
