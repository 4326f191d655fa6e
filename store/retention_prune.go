package store

import (
	"math"

	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

// prune deletes one location's raw chunks, minute packs and hour packs that
// end at or before their tier's cut, and never anything not yet rolled up.
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
	for _, t := range tiers {
		if err := pruneRange(t.b, idx, t.span, t.cut, budget, t.counts, t.stat); err != nil {
			return err
		}
	}
	return nil
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
