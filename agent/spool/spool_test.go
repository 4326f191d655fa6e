package spool

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallSegs makes segments of 8 records of 100 bytes (124 bytes each on disk).
var smallSegs = Options{SegmentBytes: 1024}

func TestOrderAcrossSegmentsAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, smallSegs)
	appendN(t, s, 1, 100, 7, 100)
	if n := len(segFiles(t, dir)); n != 13 {
		t.Errorf("100 records of 124 bytes in 1024-byte segments made %d segment files, want 13", n)
	}
	checkRecords(t, peekAll(t, s), 1, 100, 100)
	closeT(t, s)

	s = openT(t, dir, smallSegs)
	checkRecords(t, peekAll(t, s), 1, 100, 100)
	appendN(t, s, 101, 10, 3, 100)
	checkRecords(t, peekAll(t, s), 1, 110, 100)
	if st := s.Stats(); st.Records != 110 || st.Dropped != 0 {
		t.Errorf("Stats = %+v, want 110 records and none dropped", st)
	}
}

func TestAck(t *testing.T) {
	tests := []struct {
		name      string
		ack       uint64
		wantErr   bool
		wantFirst uint64 // first record left; 0 for none
		wantSegs  int
	}{
		{name: "nothing", ack: 0, wantFirst: 1, wantSegs: 8},
		{name: "inside the first segment", ack: 3, wantFirst: 4, wantSegs: 8},
		{name: "the whole first segment", ack: 8, wantFirst: 9, wantSegs: 7},
		{name: "inside a later segment", ack: 21, wantFirst: 22, wantSegs: 6},
		{name: "everything", ack: 60, wantFirst: 0, wantSegs: 0},
		{name: "beyond the last record", ack: 61, wantErr: true, wantFirst: 1, wantSegs: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newClock()
			s := openT(t, dir, Options{SegmentBytes: 1024, Now: clock.Now})
			for seq := uint64(1); seq <= 60; seq++ {
				appendN(t, s, seq, 1, 1, 100)
				clock.Add(time.Second)
			}
			err := s.Ack(tt.ack)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Ack(%d) = %v, want error %v", tt.ack, err, tt.wantErr)
			}
			for reopen := range 2 {
				checkAcked(t, s, dir, tt.wantFirst, tt.wantSegs, newClock().Now())
				if reopen == 0 {
					closeT(t, s)
					s = openT(t, dir, Options{SegmentBytes: 1024, Now: clock.Now})
				}
			}
			appendN(t, s, 61, 1, 1, 100) // seqs go on, even after all were acked
			if err := s.Ack(tt.ack); err != nil && !tt.wantErr {
				t.Errorf("acking %d again: %v", tt.ack, err)
			}
		})
	}
}

// checkAcked checks what is left after an Ack: records wantFirst..60,
// wantSegs segment files, and Stats.Oldest the time of wantFirst (record
// seq was appended at start + seq-1 seconds).
func checkAcked(t *testing.T, s *Spool, dir string, wantFirst uint64, wantSegs int, start time.Time) {
	t.Helper()
	recs := peekAll(t, s)
	st := s.Stats()
	if wantFirst == 0 {
		if len(recs) != 0 || st.Records != 0 || !st.Oldest.IsZero() {
			t.Fatalf("after acking everything: %d records %s, Stats %+v", len(recs), seqRange(recs), st)
		}
	} else {
		checkRecords(t, recs, wantFirst, 60, 100)
		if st.Records != 61-wantFirst {
			t.Errorf("Stats.Records = %d, want %d", st.Records, 61-wantFirst)
		}
		if want := start.Add(time.Duration(wantFirst-1) * time.Second); !st.Oldest.Equal(want) {
			t.Errorf("Stats.Oldest = %v, want %v", st.Oldest, want)
		}
	}
	if got := len(segFiles(t, dir)); got != wantSegs {
		t.Errorf("%d segment files, want %d", got, wantSegs)
	}
}

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, Options{})
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory", err)
	}
	closeT(t, s)
	s = openT(t, dir, Options{})
	closeT(t, s)
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "spool")
	s := openT(t, dir, Options{})
	appendN(t, s, 1, 1, 1, 10)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("spool directory has mode %v, want no access for group and others", perm)
	}
}

func TestOpenRejectsTinySegments(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{MaxBytes: 100}); err == nil {
		t.Fatal("Open with MaxBytes 100 succeeded, want an error for segments below the minimum")
	}
}

func TestClosedSpool(t *testing.T) {
	s := openT(t, t.TempDir(), Options{})
	closeT(t, s)
	if _, err := s.Append([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Peek(1, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Peek after Close = %v, want ErrClosed", err)
	}
	if err := s.Ack(1); !errors.Is(err, ErrClosed) {
		t.Errorf("Ack after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

func TestDamagedAckFile(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, smallSegs)
	appendN(t, s, 1, 20, 4, 100)
	if err := s.Ack(10); err != nil {
		t.Fatal(err)
	}
	closeT(t, s)
	flipByte(t, filepath.Join(dir, ackName), 6)

	// The acked position is lost: records still on disk are delivered
	// again rather than lost, and seqs still go on.
	s = openT(t, dir, smallSegs)
	checkRecords(t, peekAll(t, s), 9, 20, 100)
	appendN(t, s, 21, 1, 1, 100)
}
