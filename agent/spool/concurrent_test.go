package spool

import (
	"testing"
)

// TestOneWriterOneReader runs a writer and a delivery loop at the same
// time, as the agent does; with -race it also checks the locking.
func TestOneWriterOneReader(t *testing.T) {
	const total = 600
	s := openT(t, t.TempDir(), Options{MaxBytes: 64 << 10, SegmentBytes: 1024})
	appended := make(chan uint64, total)
	errs := make(chan error, 1)
	go func() {
		defer close(appended)
		for seq := uint64(1); seq <= total; seq += 3 {
			last, err := s.Append(payload(seq, 100), payload(seq+1, 100), payload(seq+2, 100))
			if err != nil {
				errs <- err
				return
			}
			appended <- last
		}
	}()

	next := uint64(1)
	for next <= total {
		recs, err := s.Peek(7, 0)
		if err != nil {
			t.Fatalf("Peek: %v", err)
		}
		if len(recs) == 0 {
			if _, ok := <-appended; !ok { // wait for the writer
				break
			}
			continue
		}
		checkRecords(t, recs, next, next+uint64(len(recs))-1, 100)
		next += uint64(len(recs))
		if err := s.Ack(next - 1); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	}
	select {
	case err := <-errs:
		t.Fatalf("Append: %v", err)
	default:
	}
	if next != total+1 {
		t.Fatalf("delivered up to %d, want %d", next-1, total)
	}
	if st := s.Stats(); st.Records != 0 || st.Dropped != 0 {
		t.Errorf("Stats after delivering everything = %+v, want no records and none dropped", st)
	}
}
