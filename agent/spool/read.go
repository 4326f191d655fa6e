package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Peek returns the oldest unacknowledged records, oldest first, without
// removing them: at most max records (no limit when max <= 0) whose data
// add up to at most maxBytes (no limit when maxBytes <= 0), but always at
// least one record when there is one, however big. An empty spool gives
// an empty slice. A record found corrupt since Open is cut off with the
// rest of its segment and counted in Stats.Dropped.
func (s *Spool) Peek(max int, maxBytes int64) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var out []Record
	var total int64
	full := func(next int) bool {
		return (max > 0 && len(out) >= max) ||
			(maxBytes > 0 && len(out) > 0 && total+int64(next) > maxBytes)
	}
	var cut bool
	for i := range s.segs {
		off, seq := int64(0), s.segs[i].first
		if i == 0 {
			off, seq = s.head.off, s.head.seq
		}
		done, c, err := s.peekSegment(i, off, seq, &out, &total, full)
		if err != nil {
			return nil, fmt.Errorf("spool: peek: %w", err)
		}
		cut = cut || c
		if done {
			break
		}
	}
	if cut {
		if err := s.afterCut(); err != nil {
			return out, fmt.Errorf("spool: peek: %w", err)
		}
	}
	return out, nil
}

// peekSegment appends the records of segment i from off (where seq is) to
// out until full says stop (done). A corrupt record cuts the segment there.
func (s *Spool) peekSegment(i int, off int64, seq uint64, out *[]Record, total *int64, full func(int) bool) (done, cut bool, err error) {
	g := s.segs[i]
	if seq > g.last {
		return false, false, nil
	}
	f, err := os.Open(s.segPath(g.first))
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	rr := newRecordReader(io.NewSectionReader(f, off, g.size-off), g.size-off)
	for ; seq <= g.last; seq++ {
		recOff := off + rr.off
		got, at, data, err := rr.next(nil)
		if err != nil && !errors.Is(err, errTorn) && err != io.EOF {
			return false, false, err
		}
		if err != nil || got != seq {
			return false, true, s.cut(i, recOff, seq-1)
		}
		if full(len(data)) {
			return true, false, nil
		}
		*out = append(*out, Record{Seq: seq, At: time.Unix(0, at), Data: data})
		*total += int64(len(data))
	}
	return false, false, nil
}

// Ack marks every record with seq <= seq delivered: they are never
// returned again, also after a restart. Segments that hold only delivered
// records are deleted. Acknowledging a seq that was never appended is an
// error; acknowledging one already acknowledged does nothing.
func (s *Spool) Ack(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if seq <= s.acked {
		return nil
	}
	if seq >= s.nextSeq {
		return fmt.Errorf("spool: ack %d: beyond the last record appended, %d", seq, s.nextSeq-1)
	}
	old := s.acked
	s.acked = seq
	if err := s.saveState(); err != nil {
		s.acked = old
		return fmt.Errorf("spool: ack %d: %w", seq, err)
	}
	if err := s.settle(); err != nil {
		return fmt.Errorf("spool: ack %d: %w", seq, err)
	}
	return nil
}

// settle removes the leading segments that hold nothing unacknowledged and
// moves the head cursor to the first unacknowledged record.
func (s *Spool) settle() error {
	for len(s.segs) > 0 {
		g := s.segs[0]
		if s.unacked(g) == 0 {
			if err := s.removeSegment(0); err != nil {
				return err
			}
			continue
		}
		if s.head.seg != g.first {
			s.head = cursor{seg: g.first, seq: g.first, at: g.firstAt}
		}
		if s.head.seq > s.acked {
			return nil
		}
		if err := s.advanceHead(); err != nil {
			return err
		}
	}
	s.head = cursor{}
	return nil
}

// advanceHead reads the first segment from the head cursor past the
// acknowledged records; a corrupt record cuts the segment there.
func (s *Spool) advanceHead() error {
	g := s.segs[0]
	f, err := os.Open(s.segPath(g.first))
	if err != nil {
		return err
	}
	defer f.Close()
	h := s.head
	rr := newRecordReader(io.NewSectionReader(f, h.off, g.size-h.off), g.size-h.off)
	var scratch []byte
	for {
		off := h.off + rr.off
		seq, at, _, err := rr.next(&scratch)
		if err != nil && !errors.Is(err, errTorn) && err != io.EOF {
			return err
		}
		if err != nil || seq != s.head.seq {
			if err := s.cut(0, off, s.head.seq-1); err != nil {
				return err
			}
			return s.afterCut()
		}
		if seq > s.acked {
			s.head.off, s.head.at = off, at
			return nil
		}
		s.head.seq++
	}
}

// cut drops the part of segment i from off on, found corrupt after Open:
// the records after lastGood are counted as dropped and the file is
// truncated. The segment may be left empty; afterCut tidies up.
func (s *Spool) cut(i int, off int64, lastGood uint64) error {
	g := &s.segs[i]
	s.dropped += g.last - max(lastGood, s.acked, g.first-1)
	g.last, g.size = lastGood, off
	if i == len(s.segs)-1 && s.wf != nil {
		err := s.wf.Close()
		s.wf = nil
		if err != nil {
			return err
		}
	}
	return os.Truncate(s.segPath(g.first), off)
}

// afterCut removes segments that a cut left empty, persists the dropped
// count and moves the head cursor.
func (s *Spool) afterCut() error {
	for i := len(s.segs) - 1; i >= 0; i-- {
		if s.segs[i].last < s.segs[i].first {
			if err := s.removeSegment(i); err != nil {
				return err
			}
		}
	}
	if err := s.saveState(); err != nil {
		return err
	}
	return s.settle()
}

// removeSegment deletes segment i, closing it first if it is being appended to.
func (s *Spool) removeSegment(i int) error {
	g := s.segs[i]
	if i == len(s.segs)-1 && s.wf != nil {
		if err := s.wf.Close(); err != nil {
			return err
		}
		s.wf = nil
	}
	if err := removeFile(s.segPath(g.first)); err != nil {
		return err
	}
	s.segs = slices.Delete(s.segs, i, i+1)
	if i == 0 {
		s.head = cursor{}
	}
	return nil
}
