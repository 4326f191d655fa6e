package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Limits and defaults.
const (
	// MaxRecordBytes is the largest record data Append accepts.
	MaxRecordBytes = 1 << 20
	// DefaultMaxBytes bounds the segment files on disk when Options.MaxBytes is 0.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxAge bounds the age of records when Options.MaxAge is 0.
	DefaultMaxAge = 7 * 24 * time.Hour
	// DefaultSegmentBytes is the size a segment grows to when Options.SegmentBytes is 0.
	DefaultSegmentBytes = 4 << 20
	// MinSegmentBytes is the smallest segment size (and so MaxBytes) Open accepts.
	MinSegmentBytes = 256
)

const lockName = "lock"

var (
	// ErrLocked is returned by Open when another Spool, in this process or
	// another, has the directory open.
	ErrLocked = errors.New("directory is in use by another spool (is another agent running on it?)")
	// ErrTooLarge is returned by Append for a record over the size limit.
	ErrTooLarge = errors.New("record too large")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("spool: closed")
)

// Options bound a spool. Zero values take the defaults.
type Options struct {
	MaxBytes     int64            // bytes of segment files kept; default DefaultMaxBytes
	MaxAge       time.Duration    // age after which records are dropped; default DefaultMaxAge
	SegmentBytes int64            // size at which a new segment starts; default DefaultSegmentBytes, at most MaxBytes
	Now          func() time.Time // the clock, for tests; default time.Now
}

// Record is one spooled result.
type Record struct {
	Seq  uint64    // sequence number, increasing for the life of the spool directory
	At   time.Time // when it was appended
	Data []byte    // what was appended
}

// Stats describes what the spool holds.
type Stats struct {
	Records uint64    // records not yet acknowledged
	Bytes   uint64    // bytes of segment files on disk
	Dropped uint64    // records dropped unsent by the bounds, over the life of the directory
	Oldest  time.Time // when the oldest unacknowledged record was appended; zero when there is none
}

// Spool is an on-disk queue of records, bounded in size and age. See the
// package documentation for the format and the guarantees.
type Spool struct {
	mu      sync.Mutex
	dir     string
	opts    Options
	maxData int          // largest record data accepted
	unlock  func() error // releases the directory lock
	closed  bool

	segs    []segment // oldest first
	wf      *os.File  // the last segment, open for appending; nil when it is sealed
	head    cursor    // the first unacknowledged record, in segs[0]
	acked   uint64    // every seq <= acked is delivered
	dropped uint64
	nextSeq uint64 // seq of the next record appended
	buf     []byte // encoding scratch for Append
}

// cursor is a position in the first segment.
type cursor struct {
	seg uint64 // first seq of the segment it is in; 0 when unset
	off int64  // offset of the record
	seq uint64 // seq of the record
	at  int64  // time of the record, valid when seq > the acked position
}

// Open opens the spool in dir, creating dir (mode 0700) if it is missing.
// It takes the directory's lock (ErrLocked when another spool has it),
// cuts torn or corrupt tails off the segments, forgets acknowledged ones
// and applies the bounds.
func Open(dir string, opts Options) (*Spool, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	s := &Spool{
		dir:     dir,
		opts:    opts,
		maxData: int(min(MaxRecordBytes, opts.SegmentBytes-headerSize)),
		unlock:  unlock,
	}
	if err := s.load(); err != nil {
		unlock()
		return nil, fmt.Errorf("spool: open %s: %w", dir, err)
	}
	return s, nil
}

// withDefaults fills in zero options and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	o.SegmentBytes = min(o.SegmentBytes, o.MaxBytes)
	if o.SegmentBytes < MinSegmentBytes {
		return o, fmt.Errorf("segment size %d bytes is below the minimum of %d", o.SegmentBytes, MinSegmentBytes)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// load reads the ack file and the segments, and applies the bounds.
func (s *Spool) load() error {
	if err := os.Remove(filepath.Join(s.dir, ackTemp)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	st, err := readState(s.dir)
	if err != nil {
		return err
	}
	s.acked, s.dropped = st.acked, st.dropped
	firsts, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	high := max(st.acked, st.high)
	for i, first := range firsts {
		limit := uint64(math.MaxUint64)
		if i+1 < len(firsts) {
			limit = firsts[i+1]
		}
		g, cut, err := s.loadSegment(first, limit)
		if err != nil {
			return err
		}
		// Seqs of records that were cut may have been handed out: skip
		// past as many as the cut bytes could have held.
		high = max(high, g.last+uint64((cut+headerSize-1)/headerSize))
		if g.last < g.first || g.last <= s.acked {
			if err := removeFile(s.segPath(first)); err != nil {
				return err
			}
			continue
		}
		s.segs = append(s.segs, g)
	}
	s.nextSeq = high + 1
	if err := s.settle(); err != nil {
		return err
	}
	return s.enforce(s.opts.Now().UnixNano())
}

// listSegments returns the first seqs of the segment files in dir, sorted.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var firsts []uint64
	for _, e := range entries {
		if seq, ok := parseSegName(e.Name()); ok && e.Type().IsRegular() {
			firsts = append(firsts, seq)
		}
	}
	slices.Sort(firsts)
	return firsts, nil
}

// loadSegment scans one segment file and truncates it to its valid part;
// cut is how many bytes were cut off.
func (s *Spool) loadSegment(first, limit uint64) (g segment, cut int64, err error) {
	f, err := os.OpenFile(s.segPath(first), os.O_RDWR, 0)
	if err != nil {
		return g, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return g, 0, err
	}
	if g, err = scanSegment(f, fi.Size(), first, limit); err != nil {
		return g, 0, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	if cut = fi.Size() - g.size; cut > 0 {
		if err := f.Truncate(g.size); err != nil {
			return g, 0, err
		}
		if err := f.Sync(); err != nil {
			return g, 0, err
		}
	}
	return g, cut, nil
}

// Stats reports what the spool holds.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Dropped: s.dropped}
	for _, g := range s.segs {
		st.Records += s.unacked(g)
		st.Bytes += uint64(g.size)
	}
	if st.Records > 0 {
		st.Oldest = time.Unix(0, s.head.at)
	}
	return st
}

// Close releases the directory. Records appended are on disk already.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	var err error
	if s.wf != nil {
		err = s.wf.Close()
		s.wf = nil
	}
	if uerr := s.unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("spool: close: %w", err)
	}
	return nil
}

// unacked is the number of records of g not yet acknowledged.
func (s *Spool) unacked(g segment) uint64 {
	below := max(g.first-1, s.acked)
	if g.last <= below {
		return 0
	}
	return g.last - below
}

// segPath is the path of the segment file whose first record is first.
func (s *Spool) segPath(first uint64) string {
	return filepath.Join(s.dir, segName(first))
}

// saveState persists the acked position and the dropped count.
func (s *Spool) saveState() error {
	return writeState(s.dir, state{acked: s.acked, dropped: s.dropped, high: s.nextSeq - 1})
}

// removeFile removes a file that may already be gone.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
