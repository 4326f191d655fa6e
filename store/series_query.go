package store

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ResultQuery selects raw results: Since <= At < Until.
type ResultQuery struct {
	Since, Until time.Time // zero = open
	Limit        int       // <= 0: no limit
	Newest       bool      // with Limit: the newest Limit results instead of the oldest
	Location     string    // "" = all
}

// Results returns a monitor's raw results in the window, oldest first,
// merged across locations (equal times ordered by location). A monitor with
// no results gives an empty slice. A chunk that does not decode is left out
// (Compact moves it aside).
func (db *DB) Results(monitorID string, q ResultQuery) ([]checks.Result, error) {
	since, until := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.Since.IsZero() {
		since = ceilMS(q.Since)
	}
	if !q.Until.IsZero() {
		until = ceilMS(q.Until)
	}
	out := []checks.Result{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s, err := openSeries(tx.Bucket(bucketSeries), monitorID, false)
		if s == nil || err != nil {
			return err
		}
		for idx, name := range s.locations() {
			if q.Location != "" && name != q.Location {
				continue
			}
			w := rawWindow{since: since, until: until, limit: q.Limit}
			var pts []chunk.Point
			if q.Newest && q.Limit > 0 {
				pts = w.newest(s, idx, name)
			} else {
				pts = w.oldest(s, idx, name)
			}
			for _, p := range pts {
				out = append(out, toResult(name, p))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: results of %q: %w", monitorID, err)
	}
	slices.SortStableFunc(out, func(a, b checks.Result) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Location, b.Location))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		if q.Newest {
			out = out[len(out)-q.Limit:]
		} else {
			out = out[:q.Limit]
		}
	}
	return out, nil
}

// ceilMS is the first unix millisecond not before t, so comparing stored
// millisecond times with it agrees with comparing the returned At with t.
func ceilMS(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}

// rawWindow reads one location's points with since <= T < until, from
// the monitor's raw bucket and then the location's open chunk (always the
// newest). Chunks that do not decode are skipped whole and their keys
// (copied) gathered in bad, or badOpen set for the open chunk (its start
// in badOpenStart), so a query still answers and Compact can move them
// aside.
type rawWindow struct {
	since, until int64
	limit        int
	bad          [][]byte
	badOpen      bool
	badOpenStart int64
}

// oldest walks chunks forward from the one that may hold since, and stops
// decoding at until or once limit points are in.
func (w *rawWindow) oldest(s *series, idx uint16, name string) []chunk.Point {
	var pts []chunk.Point
	// take reads one chunk; stop is true once the window is done.
	take := func(v []byte) (stop, bad bool) {
		done, n := false, len(pts)
		err := chunk.Iterate(v, func(p chunk.Point) bool {
			if p.T >= w.until {
				done = true
				return false
			}
			if p.T >= w.since {
				pts = append(pts, p)
			}
			done = w.limit > 0 && len(pts) >= w.limit
			return !done
		})
		if err != nil {
			pts = pts[:n]
			return false, true
		}
		return done, false
	}
	// An open chunk that starts by since holds all of the window: the
	// monitor's own buckets are not read (Compact's minute rollups, every
	// minute for every series, stay within the open chunks' pages).
	if o, ok, _ := s.open(name); ok && o.start <= w.since {
		w.readOpen(s, name, take)
		return pts
	}
	// Start at the last chunk starting before since: it may hold since.
	from := seriesKey(idx, w.since)
	c := s.raw.Cursor()
	var pk []byte
	if k, _ := c.Seek(from); k == nil {
		pk, _ = c.Last()
	} else {
		pk, _ = c.Prev()
	}
	if pi, ps, ok := parseSeriesKey(pk); ok && pi == idx {
		from = seriesKey(idx, ps)
	}
	k, v := c.Seek(from)
	for ; k != nil; k, v = c.Next() {
		i, start, ok := parseSeriesKey(k)
		if !ok || i != idx || start >= w.until {
			break
		}
		stop, bad := take(v)
		if bad {
			w.bad = append(w.bad, cloneBytes(k))
		}
		if stop {
			return pts
		}
	}
	w.readOpen(s, name, take)
	return pts
}

// readOpen reads the open chunk with take after the raw ones, when it may
// hold points of the window.
func (w *rawWindow) readOpen(s *series, name string, take func([]byte) (stop, bad bool)) {
	o, ok, badHeader := s.open(name)
	if badHeader {
		w.badOpen, w.badOpenStart = true, math.MinInt64
	}
	if !ok || o.start >= w.until {
		return
	}
	if _, bad := take(o.chunk); bad {
		w.badOpen, w.badOpenStart = true, o.start
	}
}

// newest walks chunks backward from until, the open chunk first, and stops
// once limit points are in or a chunk starting before since has been read.
func (w *rawWindow) newest(s *series, idx uint16, name string) []chunk.Point {
	var pts []chunk.Point
	// take reads one chunk into pts; stop is true once the window is done.
	take := func(v []byte, start int64) (stop, bad bool) {
		var in []chunk.Point
		err := chunk.Iterate(v, func(p chunk.Point) bool {
			if p.T >= w.since && p.T < w.until {
				in = append(in, p)
			}
			return p.T < w.until
		})
		if err != nil {
			in, bad = nil, true
		}
		pts = append(in, pts...)
		return len(pts) >= w.limit || start < w.since, bad
	}
	o, ok, badHeader := s.open(name)
	if badHeader {
		w.badOpen, w.badOpenStart = true, math.MinInt64
	}
	if ok && o.start < w.until {
		stop, bad := take(o.chunk, o.start)
		if bad {
			w.badOpen, w.badOpenStart = true, o.start
		}
		if stop {
			return w.cut(pts)
		}
	}
	c := s.raw.Cursor()
	var v []byte
	k, _ := c.Seek(seriesKey(idx, w.until))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil; k, v = c.Prev() {
		i, start, ok := parseSeriesKey(k)
		if !ok || i != idx {
			break
		}
		stop, bad := take(v, start)
		if bad {
			w.bad = append(w.bad, cloneBytes(k))
		}
		if stop {
			break
		}
	}
	return w.cut(pts)
}

// cut keeps the newest limit points.
func (w *rawWindow) cut(pts []chunk.Point) []chunk.Point {
	if len(pts) > w.limit {
		pts = pts[len(pts)-w.limit:]
	}
	return pts
}

// moveBadAside moves what the window found that did not decode into the
// series' corrupt bucket and returns how many values it moved.
func (w *rawWindow) moveBadAside(s *series, name string) (int, error) {
	n, err := s.moveAside(s.raw, w.bad)
	if err != nil || !w.badOpen {
		return n, err
	}
	return n + 1, s.moveOpenAside(name, w.badOpenStart)
}

// LastResults returns the newest raw result of every (monitor, location),
// by monitor id, ordered by location; used at startup. A location whose
// newest chunk does not decode is left out.
func (db *DB) LastResults() (map[string][]checks.Result, error) {
	out := make(map[string][]checks.Result)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachSeries(tx, func(id string, s *series) error {
			for idx, name := range s.locations() {
				v := s.newestChunk(idx, name)
				if v == nil {
					continue
				}
				var last chunk.Point
				if err := chunk.Iterate(v, func(p chunk.Point) bool { last = p; return true }); err != nil {
					continue // corrupt: the next append moves it aside
				}
				out[id] = append(out[id], toResult(name, last))
			}
			slices.SortFunc(out[id], func(a, b checks.Result) int { return cmp.Compare(a.Location, b.Location) })
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: last results: %w", err)
	}
	return out, nil
}

// forEachSeries calls fn for every monitor that has a series. A series it
// cannot open (a damaged file) is left out, so one does not stop startup.
func forEachSeries(tx *bolt.Tx, fn func(id string, s *series) error) error {
	top := tx.Bucket(bucketSeries)
	return top.ForEachBucket(func(k []byte) error {
		s, err := openSeries(top, string(k), false)
		if err != nil {
			return nil
		}
		return fn(string(k), s)
	})
}

// DeleteSeries removes everything stored for a monitor. Deleting a monitor
// that has no series is not an error.
func (db *DB) DeleteSeries(monitorID string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return db.deleteSeriesTx(tx, monitorID) })
	if err != nil {
		return fmt.Errorf("store: delete series %q: %w", monitorID, err)
	}
	return nil
}

// deleteSeriesTx is DeleteSeries inside a caller's transaction, so deleting
// a monitor and its results is one atomic step.
func (db *DB) deleteSeriesTx(tx *bolt.Tx, monitorID string) error {
	if err := deleteOpen(tx.Bucket(bucketSeriesOpen), monitorID); err != nil {
		return err
	}
	err := tx.Bucket(bucketSeries).DeleteBucket([]byte(monitorID))
	if errors.Is(err, berrors.ErrBucketNotFound) {
		return nil
	}
	return err
}

// SeriesStats reports raw-tier counts and encoded bytes (open chunks
// included).
type SeriesStats struct {
	Results int64 // raw results stored
	Chunks  int64 // raw chunks
	Bytes   int64 // encoded bytes of the raw chunks (values only, no keys or pages)
	// Corrupt counts values that did not decode: raw chunks with a bad
	// header, and chunks and rollup packs already moved aside (kept in each
	// series' corrupt bucket for forensics; not in the other counts).
	Corrupt int64
}

// SeriesStats sums the raw tier over every monitor, for benchmarks and the
// operator.
func (db *DB) SeriesStats() (SeriesStats, error) {
	var st SeriesStats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachSeries(tx, func(id string, s *series) error {
			if cb := s.root.Bucket(bucketCorrupt); cb != nil {
				err := cb.ForEachBucket(func(name []byte) error {
					st.Corrupt += int64(cb.Bucket(name).Stats().KeyN)
					return nil
				})
				if err != nil {
					return err
				}
			}
			count := func(v []byte) {
				n, err := chunk.Count(v)
				if err != nil {
					st.Corrupt++
					return
				}
				st.Results += int64(n)
				st.Chunks++
				st.Bytes += int64(len(v))
			}
			for _, name := range s.locations() {
				o, ok, bad := s.open(name)
				switch {
				case bad:
					st.Corrupt++
				case ok:
					count(o.chunk)
				}
			}
			return s.raw.ForEach(func(k, v []byte) error { count(v); return nil })
		})
	})
	if err != nil {
		return SeriesStats{}, fmt.Errorf("store: series stats: %w", err)
	}
	return st, nil
}
