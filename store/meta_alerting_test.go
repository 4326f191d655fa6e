package store

import (
	"testing"
	"time"
)

// TestAlertingSince: the first call records its time, later calls return
// it unchanged, and a damaged value is replaced.
func TestAlertingSince(t *testing.T) {
	db := openTestDB(t)
	first := time.Date(2026, 3, 1, 12, 0, 0, 123, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"first run records now", first, first},
		{"later runs keep the first", first.Add(48 * time.Hour), first},
	}
	for _, tc := range tests {
		got, err := db.AlertingSince(tc.now)
		if err != nil || !got.Equal(tc.want) {
			t.Fatalf("%s: AlertingSince = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if err := db.PutMeta(metaAlertingSince, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	later := first.Add(time.Hour)
	if got, err := db.AlertingSince(later); err != nil || !got.Equal(later) {
		t.Fatalf("damaged value: AlertingSince = %v, %v; want %v", got, err, later)
	}
}
