package spool

import (
	"testing"
	"time"
)

func TestBounds(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		count       int           // records of 100 bytes appended, one per step
		step        time.Duration // clock advance after each
		ack         uint64        // acknowledged before the appends past ackAfter
		ackAfter    int
		wantFirst   uint64 // first record left (the last is count)
		wantDropped uint64
	}{
		{
			name:  "within both bounds",
			opts:  Options{MaxBytes: 4096, SegmentBytes: 1024, MaxAge: time.Hour},
			count: 30, step: time.Second,
			wantFirst: 1,
		},
		{
			// 8 records a segment; the active one plus three sealed fit in 4096 bytes.
			name:  "max bytes drops the oldest segments",
			opts:  Options{MaxBytes: 4096, SegmentBytes: 1024, MaxAge: time.Hour},
			count: 100, step: time.Second,
			wantFirst: 73, wantDropped: 72,
		},
		{
			name:  "max bytes counts only unacknowledged records",
			opts:  Options{MaxBytes: 4096, SegmentBytes: 1024, MaxAge: time.Hour},
			count: 100, step: time.Second, ack: 20, ackAfter: 30,
			wantFirst: 73, wantDropped: 52,
		},
		{
			// Segment k (records 8k-7..8k) is dropped once record 8k is older than
			// 25 minutes, that is when record 8k+26 is appended.
			name:  "max age drops segments whose newest record is too old",
			opts:  Options{SegmentBytes: 1024, MaxAge: 25 * time.Minute},
			count: 60, step: time.Minute,
			wantFirst: 33, wantDropped: 32,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newClock()
			tt.opts.Now = clock.Now
			s := openT(t, dir, tt.opts)
			for seq := uint64(1); seq <= uint64(tt.count); seq++ {
				appendN(t, s, seq, 1, 1, 100)
				if seq == uint64(tt.ackAfter) {
					if err := s.Ack(tt.ack); err != nil {
						t.Fatalf("Ack: %v", err)
					}
				}
				clock.Add(tt.step)
			}
			for reopen := range 2 {
				checkBounded(t, s, tt.opts, tt.wantFirst, uint64(tt.count), tt.wantDropped)
				if reopen == 0 {
					closeT(t, s)
					s = openT(t, dir, tt.opts)
				}
			}
		})
	}
}

// checkBounded checks that a spool holds first..last and counted dropped,
// within its byte bound.
func checkBounded(t *testing.T, s *Spool, opts Options, first, last, dropped uint64) {
	t.Helper()
	checkRecords(t, peekAll(t, s), first, last, 100)
	st := s.Stats()
	if st.Dropped != dropped {
		t.Errorf("Stats.Dropped = %d, want %d", st.Dropped, dropped)
	}
	if max := opts.MaxBytes; max > 0 && st.Bytes > uint64(max) {
		t.Errorf("Stats.Bytes = %d, over MaxBytes %d", st.Bytes, max)
	}
}

func TestMaxAgeAtOpen(t *testing.T) {
	dir := t.TempDir()
	clock := newClock()
	opts := Options{SegmentBytes: 1024, MaxAge: time.Hour, Now: clock.Now}
	s := openT(t, dir, opts)
	appendN(t, s, 1, 20, 1, 100)
	closeT(t, s)

	clock.Add(2 * time.Hour) // the agent was down: everything is too old
	s = openT(t, dir, opts)
	if st := s.Stats(); st.Records != 0 || st.Dropped != 20 {
		t.Fatalf("Stats after opening with only expired records = %+v, want none left and 20 dropped", st)
	}
	if n := len(segFiles(t, dir)); n != 0 {
		t.Errorf("%d segment files left, want 0", n)
	}
	appendN(t, s, 21, 1, 1, 100) // seqs go on
}
