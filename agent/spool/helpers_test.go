package spool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openT opens a spool that is closed when the test ends.
func openT(t *testing.T, dir string, opts Options) *Spool {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// closeT closes a spool and fails the test on an error.
func closeT(t *testing.T, s *Spool) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// payload is the data of the record with the given seq: n bytes that say
// which record they belong to.
func payload(seq uint64, n int) []byte {
	b := fmt.Appendf(nil, "record-%08d:", seq)
	for len(b) < n {
		b = append(b, byte('a'+len(b)%26))
	}
	return b[:n]
}

// appendN appends count records of n bytes in batches of batch, expecting
// the seqs from first on.
func appendN(t *testing.T, s *Spool, first uint64, count, batch, n int) {
	t.Helper()
	seq := first
	for done := 0; done < count; {
		k := min(batch, count-done)
		var data [][]byte
		for i := range k {
			data = append(data, payload(seq+uint64(i), n))
		}
		last, err := s.Append(data...)
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if want := seq + uint64(k) - 1; last != want {
			t.Fatalf("Append returned seq %d, want %d", last, want)
		}
		seq += uint64(k)
		done += k
	}
}

// peekAll returns every unacknowledged record.
func peekAll(t *testing.T, s *Spool) []Record {
	t.Helper()
	recs, err := s.Peek(0, 0)
	if err != nil {
		t.Fatalf("Peek: %v", err)
	}
	return recs
}

// checkRecords fails unless recs are the records first..last in order,
// each with the payload of its seq.
func checkRecords(t *testing.T, recs []Record, first, last uint64, n int) {
	t.Helper()
	if want := int(last - first + 1); len(recs) != want {
		t.Fatalf("got %d records %s, want %d (seqs %d..%d)", len(recs), seqRange(recs), want, first, last)
	}
	for i, r := range recs {
		want := first + uint64(i)
		if r.Seq != want {
			t.Fatalf("record %d has seq %d, want %d", i, r.Seq, want)
		}
		if !bytes.Equal(r.Data, payload(want, n)) {
			t.Fatalf("record %d has data %q, want %q", want, r.Data, payload(want, n))
		}
	}
}

// seqRange describes the seqs of recs for failure messages.
func seqRange(recs []Record) string {
	if len(recs) == 0 {
		return "(none)"
	}
	return fmt.Sprintf("(seqs %d..%d)", recs[0].Seq, recs[len(recs)-1].Seq)
}

// segFiles returns the names of the segment files in dir.
func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// fileSize returns the size of a file.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// nextSeqForTest is the seq the next appended record gets.
func (s *Spool) nextSeqForTest() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextSeq
}
