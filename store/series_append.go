package store

import (
	"errors"
	"math"

	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

// lastChunk returns the key and value of the newest raw chunk of location
// idx in b, or nil.
func lastChunk(b *bolt.Bucket, idx uint16) (k, v []byte) {
	c := b.Cursor()
	var next []byte
	if idx == math.MaxUint16 {
		k, v = c.Last()
	} else {
		next = seriesKey(idx+1, math.MinInt64)
		if k, _ = c.Seek(next); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	if i, _, ok := parseSeriesKey(k); !ok || i != idx {
		return nil, nil
	}
	return k, v
}

// seriesAppend adds one (monitor, location)'s points, in time order, to the
// location's open chunk, closing it into the monitor's raw bucket at
// chunkMaxPoints or chunkSpan. While the location has an open chunk only
// the shared bucket of open chunks is read and written; the monitor's own
// buckets are opened when a chunk closes, or to learn where the series
// stands when it has no open chunk (its first results, a chunk closed by
// retention or moved aside, or a store written before open chunks were
// kept apart, whose newest raw chunk is then left closed).
type seriesAppend struct {
	top      *bolt.Bucket // bucketSeries
	hot      *bolt.Bucket // bucketSeriesOpen
	monitor  string
	location string
	s        *series // opened on demand
	idx      uint16  // the location's index in s, once s is open
}

func (sa *seriesAppend) series() (*series, error) {
	if sa.s != nil {
		return sa.s, nil
	}
	s, err := openSeries(sa.top, sa.monitor, true)
	if err != nil {
		return nil, err
	}
	idx, _, err := s.locIndex(sa.location, true)
	if err != nil {
		return nil, err
	}
	sa.s, sa.idx = s, idx
	return s, nil
}

// resumed is where a (monitor, location) stands before an append: its
// open chunk (a is nil when it has none), the newest time stored, the
// retention floor when it had to be read, and the earliest time appended
// since Compact last looked.
type resumed struct {
	a                       *chunk.Appender
	o                       openChunk
	lastT, floor, dirtyFrom int64
}

// resume reads where the series stands, from its open chunk alone when it
// has one that decodes. One that does not is moved aside so the batch
// commits; its start still bounds what it held, so nothing older is taken
// after it.
func (sa *seriesAppend) resume() (resumed, error) {
	r := resumed{lastT: math.MinInt64, floor: math.MinInt64, dirtyFrom: math.MaxInt64}
	if v := sa.hot.Get(openKey(sa.monitor, sa.location)); v != nil {
		var err error
		if r.o, err = decodeOpen(v); err == nil {
			r.a, err = chunk.NewAppender(r.o.chunk)
		}
		if err == nil {
			// Compact closes an open chunk before it falls behind the
			// raw tier's retention edge, so its last point bounds what
			// may come and the floor need not be read.
			if last, ok := r.a.Last(); ok {
				r.lastT = last.T
			}
			r.dirtyFrom = r.o.dirtyFrom
			return r, nil
		}
		if errors.Is(err, errOpenHeader) {
			r.o.start = math.MinInt64
		}
		s, serr := sa.series()
		if serr != nil {
			return r, serr
		}
		r.a, r.lastT, r.floor = nil, max(r.o.start, math.MinInt64+1)-1, s.floor()
		return r, s.moveOpenAside(sa.location, r.o.start)
	}
	s, err := sa.series()
	if err != nil {
		return r, err
	}
	r.floor = s.floor()
	if k, v := lastChunk(s.raw, sa.idx); k != nil {
		_, start, _ := parseSeriesKey(k)
		r.lastT = max(start, math.MinInt64+1) - 1
		// A chunk that does not decode is moved aside by Compact or a
		// read; its start bounds it.
		_ = chunk.Iterate(v, func(p chunk.Point) bool { r.lastT = p.T; return true })
	}
	return r, nil
}

// run appends pts.
func (sa *seriesAppend) run(pts []chunk.Point) error {
	r, err := sa.resume()
	if err != nil {
		return err
	}
	a, o, spanMS, dirty := r.a, r.o, chunkSpan.Milliseconds(), false
	for _, p := range pts {
		if p.T <= r.lastT || p.T < r.floor {
			continue
		}
		if a == nil || a.Len() >= chunkMaxPoints || p.T-o.start >= spanMS {
			if a != nil && a.Len() > 0 {
				if err := sa.close(o, a); err != nil {
					return err
				}
			}
			a, _ = chunk.NewAppender(nil)
			o.start = p.T
		}
		if err := a.Append(p); err != nil {
			return err
		}
		dirty, r.lastT, r.dirtyFrom = true, p.T, min(r.dirtyFrom, p.T)
	}
	if !dirty {
		return nil
	}
	o.chunk, o.dirtyFrom = a.Bytes(), r.dirtyFrom
	return sa.hot.Put(openKey(sa.monitor, sa.location), encodeOpen(o))
}

// close moves the full open chunk into the monitor's raw bucket. Its
// dirtyFrom goes on in the next open chunk (run carries it), so Compact
// still lowers the watermarks for late results it held.
func (sa *seriesAppend) close(o openChunk, a *chunk.Appender) error {
	s, err := sa.series()
	if err != nil {
		return err
	}
	o.chunk = a.Bytes()
	return s.closeOpen(sa.location, sa.idx, o)
}
