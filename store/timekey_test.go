package store

import (
	"testing"
	"time"
)

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		{}, time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(0, 0), time.Unix(0, 1), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := string(timeKey(times[i-1])), string(timeKey(times[i]))
		if a > b || (a == b && i != 1) { // the zero time and 1600 both clamp to the start
			t.Errorf("timeKey(%v) >= timeKey(%v)", times[i-1], times[i])
		}
	}
	now := time.Now()
	if got := keyTime(timeKey(now)); !got.Equal(now) {
		t.Errorf("keyTime(timeKey(%v)) = %v", now, got)
	}
}
