package spool

import (
	"errors"
	"fmt"
	"os"
)

// Append stores records durably (one fsync for the batch, more only when
// it starts new segments) and returns the seq of the last one; the batch
// gets consecutive seqs. A record over the size limit (MaxRecordBytes, or
// the segment size less a 24-byte header) refuses the whole batch with
// ErrTooLarge. Then the bounds are applied: the oldest whole segments are
// dropped while the spool is over MaxBytes or their newest record is older
// than MaxAge. When only that last step fails, Append returns lastSeq with
// the error: the records are stored.
func (s *Spool) Append(data ...[]byte) (lastSeq uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	for i, d := range data {
		if len(d) > s.maxData {
			return 0, fmt.Errorf("spool: append: record %d of %d bytes: %w (the limit is %d bytes)", i, len(d), ErrTooLarge, s.maxData)
		}
	}
	if len(data) == 0 {
		return s.nextSeq - 1, nil
	}
	at := s.opts.Now().UnixNano()
	if err := s.write(at, data); err != nil {
		return 0, fmt.Errorf("spool: append: %w", err)
	}
	lastSeq = s.nextSeq - 1
	if err := s.enforce(at); err != nil {
		return lastSeq, fmt.Errorf("spool: append: %w", err)
	}
	return lastSeq, nil
}

// chunk is the part of a batch that goes into one segment file.
type chunk struct {
	first, last uint64 // seqs of its records
	start, end  int    // its bytes in Spool.buf
	f           *os.File
	created     bool // f is a new segment file
}

// plan encodes the batch into s.buf, split where a segment would outgrow
// SegmentBytes. The first chunk continues the open segment if there is one.
func (s *Spool) plan(at int64, data [][]byte) []chunk {
	s.buf = s.buf[:0]
	var chunks []chunk
	size := int64(-1) // bytes in the segment being filled; -1 when none is open
	if s.wf != nil {
		size = s.segs[len(s.segs)-1].size
		chunks = append(chunks, chunk{first: s.nextSeq, f: s.wf})
	}
	seq := s.nextSeq
	for _, d := range data {
		n := int64(headerSize + len(d))
		if size < 0 || (size > 0 && size+n > s.opts.SegmentBytes) {
			if len(chunks) > 0 {
				chunks[len(chunks)-1].end = len(s.buf)
			}
			chunks = append(chunks, chunk{first: seq, start: len(s.buf), created: true})
			size = 0
		}
		s.buf = appendRecord(s.buf, seq, at, d)
		chunks[len(chunks)-1].last = seq
		size += n
		seq++
	}
	chunks[len(chunks)-1].end = len(s.buf)
	if chunks[0].end == chunks[0].start { // nothing went into the open segment
		chunks = chunks[1:]
	}
	return chunks
}

// write stores the batch, all or nothing: on failure the open segment is
// truncated back and new segment files are removed.
func (s *Spool) write(at int64, data [][]byte) error {
	chunks := s.plan(at, data)
	var oldSize int64
	if s.wf != nil {
		oldSize = s.segs[len(s.segs)-1].size
	}
	err := s.writeChunks(chunks, oldSize)
	if err != nil {
		for _, c := range chunks {
			switch {
			case c.f == nil:
			case c.created:
				c.f.Close()
				os.Remove(s.segPath(c.first))
			default:
				err = errors.Join(err, c.f.Truncate(oldSize))
			}
		}
		return err
	}
	for i, c := range chunks {
		if i == 0 && !c.created {
			g := &s.segs[len(s.segs)-1]
			g.last, g.lastAt, g.size = c.last, at, g.size+int64(c.end-c.start)
			continue
		}
		if s.wf != nil {
			s.wf.Close() // sealed; its records were synced when written
		}
		s.wf = c.f
		s.segs = append(s.segs, segment{first: c.first, last: c.last, firstAt: at, lastAt: at, size: int64(c.end - c.start)})
	}
	s.nextSeq = chunks[len(chunks)-1].last + 1
	return nil
}

// writeChunks writes and syncs every chunk, creating new segment files.
func (s *Spool) writeChunks(chunks []chunk, oldSize int64) error {
	created := false
	for i := range chunks {
		c := &chunks[i]
		off := oldSize
		if c.created {
			f, err := os.OpenFile(s.segPath(c.first), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			c.f, off, created = f, 0, true
		}
		if _, err := c.f.WriteAt(s.buf[c.start:c.end], off); err != nil {
			return err
		}
	}
	for _, c := range chunks {
		if err := c.f.Sync(); err != nil {
			return err
		}
	}
	if created {
		return syncDir(s.dir)
	}
	return nil
}

// enforce drops the oldest sealed segments while the spool is over
// MaxBytes or their newest record is older than MaxAge, counting their
// unacknowledged records as dropped.
func (s *Spool) enforce(now int64) error {
	cutoff := now - s.opts.MaxAge.Nanoseconds()
	var total int64
	for _, g := range s.segs {
		total += g.size
	}
	sealed := len(s.segs)
	if s.wf != nil {
		sealed--
	}
	var n uint64
	var err error
	for ; sealed > 0; sealed-- {
		g := s.segs[0]
		if total <= s.opts.MaxBytes && g.lastAt >= cutoff {
			break
		}
		if err = s.removeSegment(0); err != nil {
			break
		}
		n += s.unacked(g)
		total -= g.size
	}
	if n > 0 {
		s.dropped += n
		err = errors.Join(err, s.saveState())
	}
	return errors.Join(err, s.settle())
}
