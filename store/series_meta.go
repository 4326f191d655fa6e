package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Meta keys inside a monitor's series bucket.
var (
	metaLocPrefix  = []byte("l") // "l" + location name -> index (uint16)
	metaMarkPrefix = []byte("w") // "w" + index -> minute and hour watermarks
	metaNextLoc    = []byte("n") // next free location index
	metaFloor      = []byte("p") // raw tier pruned below this (unix ms)
)

// series is one monitor's buckets inside a transaction, and the shared
// bucket of open chunks.
type series struct {
	id                      string
	root                    *bolt.Bucket // the monitor's bucket
	raw, minute, hour, meta *bolt.Bucket
	hot                     *bolt.Bucket // bucketSeriesOpen
}

// openSeries returns the monitor's buckets, or nil when it has none and
// create is false.
func openSeries(top *bolt.Bucket, id string, create bool) (*series, error) {
	if id == "" {
		return nil, errors.New("empty monitor id")
	}
	b := top.Bucket([]byte(id))
	if b == nil && !create {
		return nil, nil
	}
	if b == nil {
		var err error
		if b, err = top.CreateBucket([]byte(id)); err != nil {
			return nil, fmt.Errorf("create series %q: %w", id, err)
		}
	}
	s := &series{id: id, root: b, hot: top.Tx().Bucket(bucketSeriesOpen)}
	if s.hot == nil {
		return nil, fmt.Errorf("series %q: the store lacks its open chunks bucket", id)
	}
	for _, sb := range []struct {
		name []byte
		dst  **bolt.Bucket
	}{{bucketRaw, &s.raw}, {bucketMinute, &s.minute}, {bucketHour, &s.hour}, {bucketSMeta, &s.meta}} {
		*sb.dst = b.Bucket(sb.name)
		if *sb.dst == nil && b.Writable() {
			var err error
			if *sb.dst, err = b.CreateBucket(sb.name); err != nil {
				return nil, fmt.Errorf("create series %q: %w", id, err)
			}
		}
		if *sb.dst == nil {
			return nil, fmt.Errorf("series %q lacks its %s bucket", id, sb.name)
		}
		(*sb.dst).FillPercent = appendFill
	}
	return s, nil
}

// moveAside moves the values under keys of tier bucket b (raw, minute or
// hour) that did not decode into the series' corrupt bucket, under the
// tier's name and the same key, and returns how many it moved.
func (s *series) moveAside(b *bolt.Bucket, keys [][]byte) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	name := bucketRaw
	switch b {
	case s.minute:
		name = bucketMinute
	case s.hour:
		name = bucketHour
	}
	cb, err := s.root.CreateBucketIfNotExists(bucketCorrupt)
	if err != nil {
		return 0, fmt.Errorf("move aside: %w", err)
	}
	if cb, err = cb.CreateBucketIfNotExists(name); err != nil {
		return 0, fmt.Errorf("move aside: %w", err)
	}
	for _, k := range keys {
		// Copied first: both may point into pages the writes below free.
		k = cloneBytes(k)
		v := cloneBytes(b.Get(k))
		if v == nil {
			continue
		}
		if err := cb.Put(k, v); err != nil {
			return 0, fmt.Errorf("move aside: %w", err)
		}
		if err := b.Delete(k); err != nil {
			return 0, fmt.Errorf("move aside: %w", err)
		}
	}
	return len(keys), nil
}

// locIndex maps a location name to the small index used in keys.
func (s *series) locIndex(name string, create bool) (idx uint16, ok bool, err error) {
	key := append(append([]byte{}, metaLocPrefix...), name...)
	if v := s.meta.Get(key); len(v) == 2 {
		return binary.BigEndian.Uint16(v), true, nil
	}
	if !create {
		return 0, false, nil
	}
	var next uint64
	if v := s.meta.Get(metaNextLoc); len(v) == 8 {
		next = binary.BigEndian.Uint64(v)
	}
	if next > math.MaxUint16 {
		return 0, false, errors.New("too many locations")
	}
	idx = uint16(next)
	if err := s.meta.Put(key, binary.BigEndian.AppendUint16(nil, idx)); err != nil {
		return 0, false, err
	}
	return idx, true, s.meta.Put(metaNextLoc, binary.BigEndian.AppendUint64(nil, next+1))
}

// locations returns every location of the series by index.
func (s *series) locations() map[uint16]string {
	locs := make(map[uint16]string)
	c := s.meta.Cursor()
	for k, v := c.Seek(metaLocPrefix); len(k) > 0 && k[0] == metaLocPrefix[0]; k, v = c.Next() {
		if len(v) == 2 {
			locs[binary.BigEndian.Uint16(v)] = string(k[1:])
		}
	}
	return locs
}

// marks are a location's rollup watermarks: every minute before minute and
// every hour before hour is rolled up. set is false before the first Compact
// that saw the location.
type marks struct {
	minute, hour int64
	set          bool
}

func (s *series) marks(idx uint16) marks {
	v := s.meta.Get(markKey(idx))
	if len(v) != 16 {
		return marks{}
	}
	return marks{int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:])), true}
}

func (s *series) setMarks(idx uint16, m marks) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(m.minute))
	v = binary.BigEndian.AppendUint64(v, uint64(m.hour))
	return s.meta.Put(markKey(idx), v)
}

func markKey(idx uint16) []byte {
	return binary.BigEndian.AppendUint16(append([]byte{}, metaMarkPrefix...), idx)
}

// floor is the raw tier's retention edge: results before it are gone (or
// about to be), so late results before it are dropped.
func (s *series) floor() int64 {
	if v := s.meta.Get(metaFloor); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return math.MinInt64
}

func (s *series) setFloor(ms int64) error {
	return s.meta.Put(metaFloor, binary.BigEndian.AppendUint64(nil, uint64(ms)))
}

// seriesKey is a location index and a start time (unix ms, sign bit flipped
// so negative times sort first), for raw chunks and rollup packs alike.
func seriesKey(idx uint16, ms int64) []byte {
	k := binary.BigEndian.AppendUint16(make([]byte, 0, 10), idx)
	return binary.BigEndian.AppendUint64(k, uint64(ms)^(1<<63))
}

func parseSeriesKey(k []byte) (idx uint16, ms int64, ok bool) {
	if len(k) != 10 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(k), int64(binary.BigEndian.Uint64(k[2:]) ^ (1 << 63)), true
}

// floorTo truncates unix ms t to a multiple of d, rounding toward -inf.
func floorTo(t int64, d time.Duration) int64 {
	step := d.Milliseconds()
	r := t % step
	if r < 0 {
		r += step
	}
	return t - r
}
