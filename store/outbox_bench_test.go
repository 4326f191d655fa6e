package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkOutboxDrain queues 10,000 notifications and sends them all, as
// the dispatcher does: entries are queued a few at a time (one incident's
// contacts per transaction), read in pages of due entries, and completed
// one by one from 16 senders at once, each completion its own
// transaction (and fsync). It reports entries/s for the whole, and for
// queueing and completing apart.
func BenchmarkOutboxDrain(b *testing.B) {
	const (
		total     = 10_000
		batch     = 10 // contacts told of one incident
		sendersN  = 16 // the dispatcher's DefaultConcurrency
		pageLimit = 64
	)
	payload := json.RawMessage(`{"event":"incident.opened","monitor":{"id":"7","name":"web","type":"http","target":"https://example.com"},"at":"2026-05-01T12:00:00Z"}`)
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var queueTime, sendTime time.Duration
	for b.Loop() {
		start := time.Now()
		for i := 0; i < total; i += batch {
			es := make([]*OutboxEntry, batch)
			for j := range es {
				es[j] = &OutboxEntry{IncidentID: fmt.Sprint(i/batch + 1), MonitorID: "7", ContactID: fmt.Sprint(j + 1),
					Event: "incident.opened", Payload: payload}
			}
			if err := db.EnqueueNotifications(es); err != nil {
				b.Fatal(err)
			}
		}
		queued := time.Now()
		queueTime += queued.Sub(start)

		work := make(chan OutboxEntry)
		var page, senders sync.WaitGroup
		for range sendersN {
			senders.Go(func() {
				for e := range work {
					a := NotificationAttempt{ContactName: "c" + e.ContactID, ContactType: "webhook", Attempt: 1,
						Result: "sent", NotifiedAfter: time.Millisecond}
					if err := db.CompleteNotification(e.ID, a); err != nil {
						b.Error(err)
					}
					page.Done()
				}
			})
		}
		for sent := 0; sent < total; {
			due, err := db.DueNotifications(time.Now(), pageLimit)
			if err != nil {
				b.Fatal(err)
			}
			if len(due) == 0 {
				b.Fatalf("%d sent, nothing due", sent)
			}
			// The next page is read once this one is done: the
			// dispatcher skips entries still in flight.
			page.Add(len(due))
			for _, e := range due {
				work <- e
			}
			page.Wait()
			sent += len(due)
		}
		close(work)
		senders.Wait()
		sendTime += time.Since(queued)
	}
	n := float64(b.N * total)
	b.ReportMetric(n/(queueTime+sendTime).Seconds(), "entries/s")
	b.ReportMetric(n/queueTime.Seconds(), "queue-entries/s")
	b.ReportMetric(n/sendTime.Seconds(), "complete-entries/s")
}

// BenchmarkDueNotifications reads a page of due entries from an outbox
// where 10,000 more wait for later: the cost must not grow with them.
func BenchmarkDueNotifications(b *testing.B) {
	for _, waiting := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			db, err := Open(b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			now := time.Now()
			var es []*OutboxEntry
			for i := range waiting {
				es = append(es, entry("1", "a", now.Add(time.Hour+time.Duration(i)*time.Second)))
			}
			for range 16 {
				es = append(es, entry("2", "b", now.Add(-time.Minute)))
			}
			if err := db.EnqueueNotifications(es); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if due, err := db.DueNotifications(now, 64); err != nil || len(due) != 16 {
					b.Fatalf("due = %d, %v", len(due), err)
				}
			}
		})
	}
}
