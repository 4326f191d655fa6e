package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func entry(incident, contact string, notBefore time.Time) *OutboxEntry {
	return &OutboxEntry{IncidentID: incident, MonitorID: "7", ContactID: contact, Event: "incident.opened",
		NotBefore: notBefore, Payload: json.RawMessage(`{"event":"incident.opened"}`)}
}

func ids(es []OutboxEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestOutboxDueOrder(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	es := []*OutboxEntry{
		entry("1", "a", now.Add(10*time.Minute)), // step later
		entry("1", "b", now.Add(-time.Minute)),
		entry("2", "c", time.Time{}), // zero: now
		entry("2", "d", now.Add(-time.Minute)),
	}
	wantErr(t, db.EnqueueNotifications(es), nil)
	for i, e := range es {
		if e.ID != fmt.Sprint(i+1) || e.CreatedAt.IsZero() || e.NotBefore.IsZero() {
			t.Fatalf("entry %d after enqueue = %+v", i, e)
		}
	}
	due, err := db.DueNotifications(now.Add(time.Second), 0)
	wantErr(t, err, nil)
	// b and d are due at the same time: the older first; c is due later.
	if got, want := ids(due), []string{"2", "4", "3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("due = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(due[0], *es[1]) {
		t.Fatalf("due entry = %+v\nwant %+v", due[0], *es[1])
	}
	if due, _ := db.DueNotifications(now.Add(time.Second), 2); len(due) != 2 {
		t.Fatalf("limit 2 gave %d entries", len(due))
	}
	if due, _ := db.DueNotifications(now.Add(-time.Hour), 0); len(due) != 0 {
		t.Fatalf("nothing is due an hour ago, got %v", ids(due))
	}
	next, ok, err := db.NextNotificationAt()
	wantErr(t, err, nil)
	if !ok || !next.Equal(es[1].NotBefore) {
		t.Fatalf("NextNotificationAt = %v %v, want %v", next, ok, es[1].NotBefore)
	}
	pending, err := db.PendingNotifications("1")
	wantErr(t, err, nil)
	if got := ids(pending); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Fatalf("pending of incident 1 = %v", got)
	}
}

func TestOutboxEmpty(t *testing.T) {
	db := openTestDB(t)
	if _, ok, err := db.NextNotificationAt(); ok || err != nil {
		t.Fatalf("NextNotificationAt on an empty outbox = %v, %v", ok, err)
	}
	wantErr(t, db.EnqueueNotifications(nil), nil)
	if p, err := db.PendingNotifications("1"); len(p) != 0 || err != nil || p == nil {
		t.Fatalf("PendingNotifications = %v, %v", p, err)
	}
	a := NotificationAttempt{Result: "sent"}
	wantErr(t, db.CompleteNotification("1", a), ErrNotFound)
	wantErr(t, db.DropNotification("x", a), ErrNotFound)
	wantErr(t, db.RetryNotification("1", time.Now(), a), ErrNotFound)
	if log, _ := db.RecentNotifications(0); len(log) != 0 {
		t.Fatalf("failed calls logged %+v", log)
	}
}

func TestOutboxEnqueueAtomic(t *testing.T) {
	db := openTestDB(t)
	bad := entry("1", "b", time.Now())
	bad.Payload = json.RawMessage(`{not json`)
	es := []*OutboxEntry{entry("1", "a", time.Now()), bad}
	if err := db.EnqueueNotifications(es); err == nil {
		t.Fatal("enqueue with an unencodable payload succeeded")
	}
	if es[0].ID != "" {
		t.Fatal("a failed enqueue set ids")
	}
	if _, ok, _ := db.NextNotificationAt(); ok {
		t.Fatal("a failed enqueue left entries behind")
	}
}

func TestOutboxComplete(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	es := []*OutboxEntry{entry("5", "a", now), entry("5", "b", now)}
	wantErr(t, db.EnqueueNotifications(es), nil)
	a := NotificationAttempt{ContactName: "Alice", ContactType: "email", Attempt: 1, At: now, Result: "sent",
		NotifiedAfter: 800 * time.Millisecond}
	wantErr(t, db.CompleteNotification(es[0].ID, a), nil)
	wantErr(t, db.CompleteNotification(es[0].ID, a), ErrNotFound) // once only

	due, _ := db.DueNotifications(now.Add(time.Second), 0)
	if got := ids(due); !reflect.DeepEqual(got, []string{es[1].ID}) {
		t.Fatalf("due after completing one = %v", got)
	}
	log, err := db.NotificationLog("5", 0)
	wantErr(t, err, nil)
	want := a
	want.IncidentID, want.MonitorID, want.ContactID, want.Event = "5", "7", "a", "incident.opened"
	want.At = now.UTC()
	if len(log) != 1 || !reflect.DeepEqual(log[0], want) {
		t.Fatalf("log = %+v\nwant [%+v]", log, want)
	}

	wantErr(t, db.DropNotification(es[1].ID, NotificationAttempt{Result: "gave_up", Error: "550 no such user"}), nil)
	if _, ok, _ := db.NextNotificationAt(); ok {
		t.Fatal("outbox not empty after completing and dropping both")
	}
	if p, _ := db.PendingNotifications("5"); len(p) != 0 {
		t.Fatalf("pending = %v", ids(p))
	}
	log, _ = db.NotificationLog("5", 0)
	if len(log) != 2 || log[1].Result != "gave_up" || log[1].ContactID != "b" || log[1].At.IsZero() {
		t.Fatalf("log after drop = %+v", log)
	}
}

func TestOutboxRetry(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	e := entry("3", "a", now)
	wantErr(t, db.EnqueueNotifications([]*OutboxEntry{e}), nil)
	later := now.Add(30 * time.Second)
	wantErr(t, db.RetryNotification(e.ID, later, NotificationAttempt{Attempt: 1, Result: "retrying", Error: "timeout"}), nil)
	if due, _ := db.DueNotifications(now.Add(time.Second), 0); len(due) != 0 {
		t.Fatalf("a retried entry is due before its time: %v", ids(due))
	}
	due, _ := db.DueNotifications(later, 0)
	if len(due) != 1 || due[0].Attempts != 1 || !due[0].NotBefore.Equal(later) || due[0].ID != e.ID {
		t.Fatalf("due at the retry time = %+v", due)
	}
	if next, _, _ := db.NextNotificationAt(); !next.Equal(later) {
		t.Fatalf("NextNotificationAt = %v, want %v", next, later)
	}
	wantErr(t, db.RetryNotification(e.ID, later.Add(time.Minute), NotificationAttempt{Attempt: 2, Result: "retrying"}), nil)
	if p, _ := db.PendingNotifications("3"); len(p) != 1 || p[0].Attempts != 2 {
		t.Fatalf("pending after two retries = %+v", p)
	}
	// The index holds one key for the entry, at its latest time.
	n := 0
	_ = db.bolt.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketOutboxDue).Stats().KeyN; return nil })
	if n != 1 {
		t.Fatalf("due index holds %d keys, want 1", n)
	}
}

func TestOutboxCancel(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	es := []*OutboxEntry{entry("9", "a", now), entry("9", "b", now.Add(10*time.Minute)), entry("9", "c", now.Add(20*time.Minute)),
		entry("10", "d", now.Add(10*time.Minute)), entry("90", "e", now)}
	es[1].Step, es[2].Step, es[3].Step = 1, 2, 1
	es[2].Attempts = 3
	wantErr(t, db.EnqueueNotifications(es), nil)

	n, err := db.CancelNotifications("9", func(e OutboxEntry) bool { return e.Step > 0 },
		NotificationAttempt{At: now, Result: "cancelled", Error: "acknowledged by alice"})
	wantErr(t, err, nil)
	if n != 2 {
		t.Fatalf("cancelled %d, want 2", n)
	}
	p, _ := db.PendingNotifications("9")
	if got := ids(p); !reflect.DeepEqual(got, []string{es[0].ID}) {
		t.Fatalf("pending of 9 = %v", got)
	}
	for _, other := range []string{"10", "90"} {
		if p, _ := db.PendingNotifications(other); len(p) != 1 {
			t.Fatalf("incident %s lost entries: %v", other, ids(p))
		}
	}
	log, _ := db.NotificationLog("9", 0)
	if len(log) != 2 || log[0].ContactID != "b" || log[0].Step != 1 || log[1].ContactID != "c" || log[1].Step != 2 ||
		log[1].Attempt != 3 || log[1].Result != "cancelled" || log[1].IncidentID != "9" || log[1].MonitorID != "7" {
		t.Fatalf("log = %+v", log)
	}
	// nil pred cancels all.
	if n, _ := db.CancelNotifications("9", nil, NotificationAttempt{Result: "suppressed"}); n != 1 {
		t.Fatalf("cancel all = %d, want 1", n)
	}
	if n, _ := db.CancelNotifications("nope", nil, NotificationAttempt{}); n != 0 {
		t.Fatalf("cancel of an unknown incident = %d", n)
	}
}

// TestOutboxSurvivesReopen: what is queued is there after a restart,
// indexes included.
func TestOutboxSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	wantErr(t, err, nil)
	now := time.Now()
	es := []*OutboxEntry{entry("1", "a", now), entry("1", "b", now.Add(time.Hour)), entry("2", "c", now)}
	wantErr(t, db.EnqueueNotifications(es), nil)
	wantErr(t, db.CompleteNotification(es[2].ID, NotificationAttempt{Result: "sent"}), nil)
	wantErr(t, db.Close(), nil)

	db, err = Open(dir, Options{})
	wantErr(t, err, nil)
	defer db.Close()
	due, _ := db.DueNotifications(now.Add(time.Second), 0)
	if len(due) != 1 || !reflect.DeepEqual(due[0], *es[0]) {
		t.Fatalf("due after reopening = %+v\nwant [%+v]", due, *es[0])
	}
	if next, ok, _ := db.NextNotificationAt(); !ok || !next.Equal(es[0].NotBefore) {
		t.Fatalf("NextNotificationAt after reopening = %v %v", next, ok)
	}
	if p, _ := db.PendingNotifications("1"); len(p) != 2 {
		t.Fatalf("pending after reopening = %v", ids(p))
	}
	if log, _ := db.NotificationLog("2", 0); len(log) != 1 {
		t.Fatalf("log after reopening = %+v", log)
	}
	// New ids continue after the old ones.
	e := entry("3", "d", now)
	wantErr(t, db.EnqueueNotifications([]*OutboxEntry{e}), nil)
	if e.ID != "4" {
		t.Fatalf("id after reopening = %s, want 4", e.ID)
	}
}

// TestDueNotificationsReadsOnlyDue: with 10,000 entries waiting for later,
// DueNotifications does not read them. Their values are destroyed here,
// so reading any of them would fail.
func TestDueNotificationsReadsOnlyDue(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	var waiting []*OutboxEntry
	for i := range 10_000 {
		waiting = append(waiting, entry(fmt.Sprint(i%500+1), "a", now.Add(time.Hour+time.Duration(i)*time.Second)))
	}
	wantErr(t, db.EnqueueNotifications(waiting), nil)
	due := []*OutboxEntry{entry("1", "x", now.Add(-time.Second)), entry("2", "y", now)}
	wantErr(t, db.EnqueueNotifications(due), nil)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, e := range waiting {
			key, _ := idKey(e.ID)
			if err := b.Put(key, []byte("destroyed")); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, err, nil)
	got, err := db.DueNotifications(now, 100)
	wantErr(t, err, nil)
	if ids := ids(got); !reflect.DeepEqual(ids, []string{due[0].ID, due[1].ID}) {
		t.Fatalf("due = %v", ids)
	}
}
