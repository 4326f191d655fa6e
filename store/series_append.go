package store

import (
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

// append adds one location's points (in time order) to the raw tier,
// continuing the open chunk and closing it at chunkMaxPoints or chunkSpan.
func (s *series) append(location string, pts []chunk.Point) error {
	idx, _, err := s.locIndex(location, true)
	if err != nil {
		return err
	}
	floor := s.floor()
	var (
		a      *chunk.Appender
		key    []byte
		start  int64
		lastT  int64 = math.MinInt64
		minT   int64 = math.MaxInt64
		dirty  bool
		spanMS = chunkSpan.Milliseconds()
	)
	if k, v := lastChunk(s.raw, idx); k != nil {
		_, start, _ = parseSeriesKey(k)
		if a, err = chunk.NewAppender(v); err != nil {
			// Moved aside so the batch commits; the chunk's key still
			// bounds what it held, so nothing older is taken after it.
			if _, err := s.moveAside(s.raw, [][]byte{k}); err != nil {
				return err
			}
			a, lastT = nil, max(start, math.MinInt64+1)-1
		} else {
			key = k
			if last, ok := a.Last(); ok {
				lastT = last.T
			}
		}
	}
	for _, p := range pts {
		if p.T <= lastT || p.T < floor {
			continue
		}
		if a == nil || a.Len() >= chunkMaxPoints || p.T-start >= spanMS {
			if dirty {
				if err := s.raw.Put(key, a.Bytes()); err != nil {
					return err
				}
			}
			a, _ = chunk.NewAppender(nil)
			start, key = p.T, seriesKey(idx, p.T)
		}
		if err := a.Append(p); err != nil {
			return err
		}
		dirty, lastT, minT = true, p.T, min(minT, p.T)
	}
	if dirty {
		if err := s.raw.Put(key, a.Bytes()); err != nil {
			return err
		}
	}
	return s.lowerMarks(idx, minT)
}

// lowerMarks makes the next Compact rebuild the rollups a late result
// belongs to. Rollups are rebuilt by replacement, so nothing counts twice.
func (s *series) lowerMarks(idx uint16, t int64) error {
	m := s.marks(idx)
	if !m.set || t >= m.minute {
		return nil
	}
	m.minute = floorTo(t, minuteD)
	m.hour = min(m.hour, floorTo(t, hourD))
	return s.setMarks(idx, m)
}
