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

// Per-contact limits on the send slots, so that a provider that hangs
// or fails cannot take them from everyone else: a contact has at most
// contactSlots messages in flight, one while its last attempt failed, and
// failing contacts together never hold the last reservedSlots.
const (
	contactSlots  = 2
	reservedSlots = 4
	// maxScan bounds how many due entries one pass reads: entries held
	// back by the limits above are read again on every pass.
	maxScan = 4096
)

// startDue starts as many due entries as there are free slots, skipping
// those being sent, those whose contact is being sent an earlier message
// about the same incident (so "resolved" never overtakes "opened"), and
// those whose contact has used its share of the slots. The entries
// skipped this pass widen the next pass's read, so a long run of one
// contact's entries at the front of the outbox cannot hide another's.
func (d *Dispatcher) startDue(ctx context.Context, sends *sync.WaitGroup) {
	d.mu.Lock()
	free, sending := d.concurrency-len(d.inflight), len(d.inflight)
	clear(d.finished)
	scan := min(sending+free+32+d.skipped, maxScan)
	d.mu.Unlock()
	if free <= 0 || ctx.Err() != nil {
		return
	}
	due, err := d.st.DueNotifications(time.Now(), scan)
	if err != nil {
		d.log.Error("read due notifications", "err", err)
		return
	}
	skipped := 0
	defer func() {
		d.mu.Lock()
		d.skipped = skipped
		d.mu.Unlock()
	}()
	for _, e := range due {
		if free == 0 {
			return
		}
		if !d.claim(e) {
			skipped++
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
// incident and contact is, it was finished while the due list was being
// read (the list would show it as it was before), or its contact has
// used its share of the slots.
func (d *Dispatcher) claim(e store.OutboxEntry) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.inflight[e.ID]; ok || d.busy[busyKey(e)] > 0 {
		return false
	}
	if _, ok := d.finished[e.ID]; ok {
		return false
	}
	if d.failing[e.ContactID] {
		if d.perContact[e.ContactID] >= 1 || d.failingInflight() >= d.concurrency-reservedSlots {
			return false
		}
	} else if d.perContact[e.ContactID] >= contactSlots {
		return false
	}
	d.take(e)
	return true
}

// failingInflight counts the sends under way to contacts whose last
// attempt failed. Call it with mu held.
func (d *Dispatcher) failingInflight() int {
	n := 0
	for _, e := range d.inflight {
		if d.failing[e.ContactID] {
			n++
		}
	}
	return n
}

// take records e as in flight. Call it with mu held.
func (d *Dispatcher) take(e store.OutboxEntry) {
	d.inflight[e.ID] = e
	d.busy[busyKey(e)]++
	d.perContact[e.ContactID]++
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
	if d.perContact[e.ContactID]--; d.perContact[e.ContactID] <= 0 {
		delete(d.perContact, e.ContactID)
	}
}

// sendResult remembers whether a contact's last attempt failed, for the
// slot limits.
func (d *Dispatcher) sendResult(contact string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.failing[contact] = true
	} else {
		delete(d.failing, contact)
	}
}
