package store

import (
	"encoding/binary"
	"math"

	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

// prune deletes one location's raw chunks, minute packs and hour packs that
// end at or before their tier's cut, and never anything not yet rolled up.
// It remembers where each tier starts (see pruneFirsts), so a tier with
// nothing past its cut costs no read of its bucket.
func (s *series) prune(idx uint16, m marks, c cuts, budget *int, st *CompactStats) error {
	tiers := []struct {
		b      *bolt.Bucket
		span   int64
		cut    int64
		counts func([]byte) (int, error)
		stat   *int
	}{
		{s.raw, chunkSpan.Milliseconds(), min(c.raw, m.minute), nil, &st.ChunksDeleted},
		{s.minute, hourD.Milliseconds(), min(c.minute, m.hour), chunk.AggCount, &st.RollupsDeleted},
		{s.hour, dayD.Milliseconds(), c.hour, chunk.AggCount, &st.RollupsDeleted},
	}
	firsts := s.pruneFirsts(idx)
	was := firsts
	var err error
	for i, t := range tiers {
		if firsts[i] > t.cut-t.span {
			continue // its first value is not past the cut, nor any after it
		}
		err = pruneRange(t.b, idx, t.span, t.cut, budget, t.counts, t.stat)
		firsts[i] = firstStart(t.b, idx)
		if err != nil {
			break
		}
	}
	if firsts != was {
		if serr := s.setPruneFirsts(idx, firsts); serr != nil {
			return serr
		}
	}
	return err
}

// metaFirstPrefix + index -> the start of the first raw chunk, minute pack
// and hour pack of the location as the last prune left them, or
// math.MinInt64 where unknown (an empty tier, a store from before). Values
// are only ever added after the first (appends go forward, rollups start at
// the watermarks), so a tier whose first start is not past its cut has
// nothing to prune.
var metaFirstPrefix = []byte("f")

func (s *series) pruneFirsts(idx uint16) [3]int64 {
	out := [3]int64{math.MinInt64, math.MinInt64, math.MinInt64}
	v := s.meta.Get(append(append([]byte{}, metaFirstPrefix...), byte(idx>>8), byte(idx)))
	if len(v) != 24 {
		return out
	}
	for i := range out {
		out[i] = int64(binary.BigEndian.Uint64(v[8*i:]))
	}
	return out
}

func (s *series) setPruneFirsts(idx uint16, f [3]int64) error {
	v := make([]byte, 0, 24)
	for _, x := range f {
		v = binary.BigEndian.AppendUint64(v, uint64(x))
	}
	return s.meta.Put(append(append([]byte{}, metaFirstPrefix...), byte(idx>>8), byte(idx)), v)
}

// firstStart is the start of location idx's first value in b, or
// math.MinInt64 when it has none.
func firstStart(b *bolt.Bucket, idx uint16) int64 {
	k, _ := b.Cursor().Seek(seriesKey(idx, math.MinInt64))
	if i, start, ok := parseSeriesKey(k); ok && i == idx {
		return start
	}
	return math.MinInt64
}

// pruneRange deletes the values of location idx whose start+span <= cut,
// spending one unit of budget each; counts (nil: one per value) says how
// much each deletion adds to stat (nothing for a value it cannot read).
// Keys are collected before deleting: deleting under a bbolt cursor can
// skip keys.
func pruneRange(b *bolt.Bucket, idx uint16, span, cut int64, budget *int, counts func([]byte) (int, error), stat *int) error {
	var keys [][]byte
	n := 0
	c := b.Cursor()
	for k, v := c.Seek(seriesKey(idx, math.MinInt64)); k != nil; k, v = c.Next() {
		i, start, ok := parseSeriesKey(k)
		if !ok || i != idx || start > cut-span {
			break
		}
		if len(keys) >= *budget {
			break
		}
		add := 1
		if counts != nil {
			var err error
			if add, err = counts(v); err != nil {
				add = 0 // does not decode, and is past retention anyway
			}
		}
		keys = append(keys, append([]byte(nil), k...))
		n += add
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	*budget -= len(keys)
	*stat += n
	if *budget <= 0 {
		return errBudget
	}
	return nil
}
