package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// logAttempts writes attempts straight to the log, as the outbox calls do.
func logAttempts(t *testing.T, db *DB, as ...NotificationAttempt) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, a := range as {
			if err := appendLogTx(tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, err, nil)
}

func steps(as []NotificationAttempt) []int {
	out := []int{}
	for _, a := range as {
		out = append(out, a.Step)
	}
	return out
}

func TestNotificationLog(t *testing.T) {
	db := openTestDB(t)
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var as []NotificationAttempt
	for i := range 5 {
		as = append(as, NotificationAttempt{IncidentID: "1", Step: i, At: base.Add(time.Duration(i) * time.Minute), Result: "sent"})
	}
	// Incidents whose ids share a prefix with "1", and a test message
	// (no incident).
	as = append(as,
		NotificationAttempt{IncidentID: "12", Step: 100, At: base, Result: "sent"},
		NotificationAttempt{IncidentID: "1\x00x", Step: 101, At: base, Result: "sent"},
		NotificationAttempt{IncidentID: "", Step: 102, At: base.Add(time.Hour), Event: "test", Result: "sent"})
	logAttempts(t, db, as...)

	all, err := db.NotificationLog("1", 0)
	wantErr(t, err, nil)
	if got := steps(all); !reflect.DeepEqual(got, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("log of 1 = steps %v", got)
	}
	if !reflect.DeepEqual(all[2], as[2]) {
		t.Fatalf("attempt = %+v, want %+v", all[2], as[2])
	}
	newest, _ := db.NotificationLog("1", 2)
	if got := steps(newest); !reflect.DeepEqual(got, []int{3, 4}) {
		t.Fatalf("log of 1, limit 2 = steps %v, want the newest two oldest first", got)
	}
	if l, _ := db.NotificationLog("12", 0); !reflect.DeepEqual(steps(l), []int{100}) {
		t.Fatalf("log of 12 = %v", steps(l))
	}
	if l, _ := db.NotificationLog("", 0); !reflect.DeepEqual(steps(l), []int{102}) {
		t.Fatalf("log of test messages = %v", steps(l))
	}
	if l, err := db.NotificationLog("404", 5); len(l) != 0 || err != nil || l == nil {
		t.Fatalf("log of an unknown incident = %v, %v", l, err)
	}

	recent, err := db.RecentNotifications(3)
	wantErr(t, err, nil)
	// Newest by time: the test message, step 4, step 3.
	if got := steps(recent); !reflect.DeepEqual(got, []int{102, 4, 3}) {
		t.Fatalf("recent = steps %v", got)
	}
	if all, _ := db.RecentNotifications(0); len(all) != len(as) {
		t.Fatalf("recent, all = %d, want %d", len(all), len(as))
	}
}

func TestNotificationLogErrorCut(t *testing.T) {
	db := openTestDB(t)
	long := strings.Repeat("é", maxAttemptError) // two bytes each
	logAttempts(t, db, NotificationAttempt{IncidentID: "1", Error: long, Result: "failed"})
	l, _ := db.NotificationLog("1", 0)
	if len(l[0].Error) > maxAttemptError || !utf8.ValidString(l[0].Error) || !strings.HasPrefix(long, l[0].Error) {
		t.Fatalf("stored error is %d bytes, valid UTF-8 %v", len(l[0].Error), utf8.ValidString(l[0].Error))
	}
	if l[0].At.IsZero() {
		t.Fatal("At not set")
	}
}

func TestCompactPrunesNotificationLog(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var as []NotificationAttempt
	// 1,200 attempts older than 90 days (more than one transaction's
	// budget), and some newer.
	for i := range 1200 {
		as = append(as, NotificationAttempt{IncidentID: fmt.Sprint(i%7 + 1), At: now.Add(-91*24*time.Hour - time.Duration(i)*time.Minute), Result: "sent"})
	}
	for i := range 10 {
		as = append(as, NotificationAttempt{IncidentID: "1", Step: 1000 + i, At: now.Add(-89*24*time.Hour + time.Duration(i)*time.Minute), Result: "sent"})
	}
	logAttempts(t, db, as...)
	st, err := db.Compact(t.Context(), now, DefaultRetention)
	wantErr(t, err, nil)
	if st.LogDeleted != 1200 {
		t.Fatalf("LogDeleted = %d, want 1200", st.LogDeleted)
	}
	left, _ := db.RecentNotifications(0)
	if len(left) != 10 {
		t.Fatalf("%d attempts left, want 10", len(left))
	}
	if l, _ := db.NotificationLog("1", 0); len(l) != 10 || l[0].Step != 1000 {
		t.Fatalf("log of 1 after pruning = steps %v", steps(l))
	}
	for i := 2; i <= 7; i++ {
		if l, _ := db.NotificationLog(fmt.Sprint(i), 0); len(l) != 0 {
			t.Fatalf("incident %d kept %d old attempts", i, len(l))
		}
	}
	if st, _ := db.Compact(t.Context(), now, DefaultRetention); st.LogDeleted != 0 {
		t.Fatalf("second compact pruned %d", st.LogDeleted)
	}
	// A shorter retention prunes more.
	st, _ = db.Compact(t.Context(), now, Retention{NotificationLog: 24 * time.Hour})
	if st.LogDeleted != 10 {
		t.Fatalf("LogDeleted with one day = %d, want 10", st.LogDeleted)
	}
}
