package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Retention says how long each tier of the results time series is kept,
// and the notification log.
type Retention struct {
	Raw, Minute, Hour time.Duration
	// NotificationLog is how long delivery attempts are kept.
	NotificationLog time.Duration
}

// DefaultRetention keeps raw results a week, minute rollups 90 days, hour
// rollups two years, and the notification log 90 days: as long as the
// minute charts that show what an incident looked like.
var DefaultRetention = Retention{Raw: 7 * 24 * time.Hour, Minute: 90 * 24 * time.Hour, Hour: 2 * 365 * 24 * time.Hour,
	NotificationLog: 90 * 24 * time.Hour}

// normalize fills zero fields from DefaultRetention and checks the tiers
// are ordered: a rollup is built from the tier below, so that tier must be
// kept at least as long.
func (r Retention) normalize() (Retention, error) {
	for _, f := range []struct{ v, def *time.Duration }{
		{&r.Raw, &DefaultRetention.Raw}, {&r.Minute, &DefaultRetention.Minute}, {&r.Hour, &DefaultRetention.Hour},
		{&r.NotificationLog, &DefaultRetention.NotificationLog},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if r.Raw < minuteD || r.Minute < r.Raw || r.Hour < r.Minute {
		return r, fmt.Errorf("retention raw %v, minute %v, hour %v: want 1m <= raw <= minute <= hour", r.Raw, r.Minute, r.Hour)
	}
	if r.NotificationLog < 0 {
		return r, fmt.Errorf("retention of the notification log %v: must not be negative", r.NotificationLog)
	}
	return r, nil
}

// CompactStats counts what one Compact did.
type CompactStats struct {
	RollupsWritten int // minute and hour rollups (re)computed and stored
	ChunksDeleted  int // raw chunks pruned
	RollupsDeleted int // minute and hour rollups pruned
	LogDeleted     int // notification log attempts pruned
	// Broken counts raw chunks and rollup packs that did not decode (moved
	// aside, see SeriesStats) and series skipped because they could not be
	// compacted; the caller should log it.
	Broken int
}

// txBudget bounds the work of one Compact transaction (packs written,
// chunks and packs deleted), so the writer is never blocked for long and a
// transaction's dirty pages stay few.
const txBudget = 512

// Compact builds the rollups of every minute and hour complete at now, then
// prunes every tier past its retention, and the notification log past its
// (zero fields of r take the default).
// It works in small transactions, each saving the watermarks of what it
// built with it, so it is safe to call every minute, idempotent, and a crash
// never loses or double-counts a rollup. Raw chunks are pruned whole: raw
// results are kept at least r.Raw and at most r.Raw plus two hours.
//
// ctx is checked between transactions; when it is done Compact returns its
// error, wrapped, with the stats so far (the work done so far is kept). A
// series that cannot be compacted is skipped and counted in Broken, so one
// damaged series does not stop the others.
func (db *DB) Compact(ctx context.Context, now time.Time, r Retention) (CompactStats, error) {
	var st CompactStats
	r, err := r.normalize()
	if err != nil {
		return st, fmt.Errorf("store: compact: %w", err)
	}
	ids, err := db.seriesIDs()
	if err != nil {
		return st, fmt.Errorf("store: compact: %w", err)
	}
	cut := cutoffs(now.UnixMilli(), r)
	next := 0 // the location index ids[0] resumes at
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("store: compact: %w", err)
		}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			budget := txBudget
			for len(ids) > 0 && budget > 0 {
				done, err := compactSeries(tx, ids[0], cut, &next, &budget, &st)
				if err != nil {
					// Whatever it wrote is consistent: watermarks move
					// only past rollups rebuilt in full.
					st.Broken++
					done = true
				}
				if done {
					ids, next = ids[1:], 0
				}
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("store: compact: %w", err)
		}
	}
	if err := db.pruneNotificationLog(ctx, now.Add(-r.NotificationLog), &st); err != nil {
		return st, fmt.Errorf("store: compact: %w", err)
	}
	return st, nil
}

// compactSeries does as much of series id's work as budget allows,
// starting at location index *next; done is false when it must be called
// again (in a new transaction).
func compactSeries(tx *bolt.Tx, id string, c cuts, next, budget *int, st *CompactStats) (done bool, err error) {
	s, err := openSeries(tx.Bucket(bucketSeries), id, false)
	if s == nil || err != nil { // nil: deleted since listed
		return true, err
	}
	return s.compact(c, next, budget, st)
}

func (db *DB) seriesIDs() ([]string, error) {
	var ids []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeries).ForEachBucket(func(k []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids, err
}

// cuts are Compact's edges in unix ms: rollups are built before minuteEnd;
// each tier keeps what ends after its cut. Cuts are aligned to the period of
// the tier built from it, so a rebuilt rollup never misses pruned input.
type cuts struct {
	minuteEnd, raw, minute, hour int64
}

func cutoffs(now int64, r Retention) cuts {
	return cuts{
		minuteEnd: floorTo(now, minuteD),
		raw:       floorTo(now-r.Raw.Milliseconds(), minuteD),
		minute:    floorTo(now-r.Minute.Milliseconds(), hourD),
		hour:      floorTo(now-r.Hour.Milliseconds(), dayD),
	}
}

// compact does as much of one series' work as budget allows, from
// location index *next on, which it advances past each location done, so
// a series with many locations resumes where the last transaction
// stopped; done is false when it must be called again.
func (s *series) compact(c cuts, next, budget *int, st *CompactStats) (done bool, err error) {
	locs := s.locations()
	idxs := make([]int, 0, len(locs))
	for idx := range locs {
		if int(idx) >= *next {
			idxs = append(idxs, int(idx))
		}
	}
	slices.Sort(idxs)
	*budget-- // every series costs something, even when idle
	for _, idx := range idxs {
		if done, err := s.compactLocation(uint16(idx), locs[uint16(idx)], c, budget, st); !done || err != nil {
			return false, err
		}
		*next = idx + 1
	}
	if s.floor() < c.raw {
		return true, s.setFloor(c.raw)
	}
	return true, nil
}

var errBudget = errors.New("transaction budget spent")

func (s *series) compactLocation(idx uint16, name string, c cuts, budget *int, st *CompactStats) (bool, error) {
	m := s.marks(idx)
	if !s.startMarks(idx, name, &m) {
		return true, nil
	}
	if err := s.takeLate(idx, name, &m); err != nil {
		return false, err
	}
	err := s.buildRollups(idx, name, &m, c.minuteEnd, budget, st)
	if serr := s.setMarks(idx, m); err == nil {
		err = serr
	}
	if err == nil {
		err = s.closeStaleOpen(idx, name, m, c)
	}
	if err == nil {
		err = s.prune(idx, m, c, budget, st)
	}
	if errors.Is(err, errBudget) {
		return false, nil
	}
	return err == nil, err
}

// buildRollups runs the rollup steps until they are done or budget is
// spent. A step that had nothing to do costs nothing, so idle locations
// do not eat the budget.
func (s *series) buildRollups(idx uint16, name string, m *marks, end int64, budget *int, st *CompactStats) error {
	for _, step := range []func() (int, int, bool, error){
		func() (int, int, bool, error) { return s.rollupMinutes(idx, name, m, end, st) },
		func() (int, int, bool, error) { return s.rollupHours(idx, m, st) },
	} {
		for more := true; more; {
			if *budget <= 0 {
				return errBudget
			}
			var written, touched int
			var err error
			before := *m
			if written, touched, more, err = step(); err != nil {
				return err
			}
			st.RollupsWritten += written
			if *m != before {
				*budget -= 1 + touched
			}
		}
	}
	return nil
}
