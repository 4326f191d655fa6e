package store

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

const (
	minuteD = time.Minute
	hourD   = time.Hour
	dayD    = 24 * time.Hour
	// One Compact step rolls up at most this much of one series, so a
	// series that was not compacted for weeks is caught up in small
	// transactions.
	minuteStepSpan = 6 * time.Hour
	hourStepSpan   = 7 * dayD
)

// Tier is a rollup resolution.
type Tier int

// The rollup tiers. Minute rollups are packed per (location, hour) and hour
// rollups per (location, UTC day), so keeping them current rewrites one
// small value per series and period, never a long one.
const (
	TierMinute Tier = iota + 1
	TierHour
)

// spans returns the span of one rollup (period), of one stored pack, and
// the tier's bucket.
func (t Tier) spans() (period, pack time.Duration, bucket func(*series) *bolt.Bucket, ok bool) {
	switch t {
	case TierMinute:
		return minuteD, hourD, func(s *series) *bolt.Bucket { return s.minute }, true
	case TierHour:
		return hourD, dayD, func(s *series) *bolt.Bucket { return s.hour }, true
	}
	return 0, 0, nil, false
}

// Rollup summarises one minute or hour of one (monitor, location). The
// latencies are over all results of the period, whatever their status.
type Rollup struct {
	Start                time.Time
	Location             string
	OK, Warning, Problem uint32
	MinMS, AvgMS, MaxMS  float64
}

// Rollups returns a monitor's rollups of tier with since <= Start < until
// (zero times are open), oldest first, equal starts ordered by location. A
// pack that does not decode is left out (Compact moves it aside).
func (db *DB) Rollups(monitorID string, tier Tier, since, until time.Time) ([]Rollup, error) {
	period, pack, bucket, ok := tier.spans()
	if !ok {
		return nil, fmt.Errorf("store: rollups of %q: unknown tier %d", monitorID, tier)
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !since.IsZero() {
		lo = ceilMS(since)
	}
	if !until.IsZero() {
		hi = ceilMS(until)
	}
	out := []Rollup{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s, err := openSeries(tx.Bucket(bucketSeries), monitorID, false)
		if s == nil || err != nil {
			return err
		}
		for idx, name := range s.locations() {
			from := int64(math.MinInt64)
			if lo != math.MinInt64 {
				from = floorTo(lo, pack)
			}
			eachPack(bucket(s), idx, from, hi, func(start int64, aggs []chunk.Agg) {
				for _, a := range aggs {
					t := start + int64(a.Off)*period.Milliseconds()
					if t >= lo && t < hi {
						out = append(out, toRollup(name, t, a))
					}
				}
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: rollups of %q: %w", monitorID, err)
	}
	slices.SortFunc(out, func(a, b Rollup) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Location, b.Location))
	})
	return out, nil
}

func toRollup(loc string, t int64, a chunk.Agg) Rollup {
	r := Rollup{Start: time.UnixMilli(t).UTC(), Location: loc, OK: a.OK, Warning: a.Warning, Problem: a.Problem}
	if n := a.N(); n > 0 {
		r.MinMS = float64(a.Min) / 100
		r.MaxMS = float64(a.Max) / 100
		r.AvgMS = float64(a.Sum) / float64(n) / 100
	}
	return r
}

// eachPack calls fn for every pack of location idx starting in [from, to)
// and returns the keys (copied) of the packs that do not decode, which it
// skips.
func eachPack(b *bolt.Bucket, idx uint16, from, to int64, fn func(start int64, aggs []chunk.Agg)) (bad [][]byte) {
	c := b.Cursor()
	for k, v := c.Seek(seriesKey(idx, from)); k != nil; k, v = c.Next() {
		i, start, ok := parseSeriesKey(k)
		if !ok || i != idx || start >= to {
			break
		}
		aggs, err := chunk.DecodeAggs(v)
		if err != nil {
			bad = append(bad, cloneBytes(k))
			continue
		}
		fn(start, aggs)
	}
	return bad
}

// replacePack recomputes the entries of one pack whose offsets are in
// [offLo, offHi) and returns how many it wrote. A stored pack that does not
// decode is moved aside and counted in st.Broken; its other entries are
// lost.
func (s *series) replacePack(b *bolt.Bucket, key []byte, offLo, offHi uint32, repl []chunk.Agg, st *CompactStats) (int, error) {
	v := b.Get(key)
	var old []chunk.Agg
	if v != nil {
		var err error
		if old, err = chunk.DecodeAggs(v); err != nil {
			n, err := s.moveAside(b, [][]byte{key})
			if err != nil {
				return 0, err
			}
			st.Broken += n
			v, old = nil, nil
		}
	}
	if v == nil && len(repl) == 0 {
		return 0, nil
	}
	aggs := chunk.ReplaceAggs(old, offLo, offHi, repl)
	if len(aggs) == 0 {
		return 0, b.Delete(key)
	}
	enc, err := chunk.EncodeAggs(aggs)
	if err != nil {
		return 0, err
	}
	return len(repl), b.Put(key, enc)
}
