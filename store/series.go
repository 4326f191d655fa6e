package store

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store/chunk"
	bolt "go.etcd.io/bbolt"
)

// The results time series lives under one top-level bucket with a
// sub-bucket per monitor id, which holds the raw chunks, the minute and hour
// rollup packs and a small meta bucket (location dictionary, watermarks).
var (
	bucketSeries = []byte("series")
	bucketRaw    = []byte("raw")
	bucketMinute = []byte("minute")
	bucketHour   = []byte("hour")
	bucketSMeta  = []byte("meta")
	// bucketCorrupt keeps values that did not decode, moved aside under
	// their tier's name and key so the series goes on and the bytes stay
	// for forensics.
	bucketCorrupt = []byte("corrupt")
)

func init() { topBuckets = append(topBuckets, bucketSeries) }

const (
	// chunkMaxPoints and chunkSpan close a raw chunk, so an append rewrites
	// a bounded value and a chunk's end is known from its key alone. An
	// append decodes the open chunk and the transaction writes it whole, so
	// both costs grow with it: at 256 points a thousand agents' results
	// (a message each) made chunks of 11 KiB and that decode 14% of the
	// server's CPU; at 64 they stay under 3 KiB, and closing every 64
	// points adds a key and a restart of the message dictionary, about 5%
	// more bytes per result.
	chunkMaxPoints = 64
	chunkSpan      = 2 * time.Hour
	// maxLatencyUnits caps a stored latency (in 10 µs units, about 127
	// days) so the sums in rollups cannot overflow.
	maxLatencyUnits = 1 << 40
	// appendFill packs pages tightly: keys are appended at the end of each
	// location's range.
	appendFill = 0.9
	// maxMessageBytes, maxValues and maxValueKeyBytes cap what one result
	// stores: a chunk rewrites its messages and values on every append, so
	// a probed site must not be able to make each result cost a megabyte.
	maxMessageBytes  = 1024
	maxValues        = 64
	maxValueKeyBytes = 64
)

// MonitorResult is one result of one monitor.
type MonitorResult struct {
	MonitorID string
	Result    checks.Result
}

// AppendResults stores a batch in one bbolt transaction (group commit).
// Results may be for many monitors and locations, in any order; within one
// (monitor, location) they must arrive in time order.
//
// Stored precision: At to the millisecond (truncated, returned in UTC),
// LatencyMS to 0.01 ms (rounded; negative and NaN become 0, huge values are
// capped at about 127 days). A status other than ok, warning or problem is
// stored as unknown. Message and Values are capped (see the package doc).
// A result whose At is not after the newest stored result of its (monitor,
// location) is dropped, so an agent replaying its spool after a lost
// acknowledgement creates no duplicates; so is a result older than the raw
// tier's retention edge, and a result of a monitor that does not exist (one
// deleted while its results waited in a queue). A late result older than
// rollups already built makes the next Compact rebuild those rollups.
//
// An open chunk that does not decode is moved aside (see SeriesStats) and
// a new one started, so one damaged series does not stop ingestion.
func (db *DB) AppendResults(batch []MonitorResult) error {
	if len(batch) == 0 {
		return nil
	}
	groups := groupBatch(batch)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		top, hot, monitors := tx.Bucket(bucketSeries), tx.Bucket(bucketSeriesOpen), tx.Bucket(bucketMonitors)
		var cur string
		var exists bool
		for _, g := range groups {
			if g.monitor != cur { // groups are sorted: one lookup per monitor ("" is none)
				cur, exists = g.monitor, monitorExists(monitors, g.monitor)
			}
			if !exists {
				continue
			}
			sa := seriesAppend{top: top, hot: hot, monitor: g.monitor, location: g.location}
			if err := sa.run(g.points); err != nil {
				return fmt.Errorf("monitor %q location %q: %w", g.monitor, g.location, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: append results: %w", err)
	}
	return nil
}

// monitorExists reports whether the monitors bucket holds id.
func monitorExists(monitors *bolt.Bucket, id string) bool {
	key, ok := idKey(id)
	return ok && monitors.Get(key) != nil
}

type seriesGroup struct {
	monitor, location string
	points            []chunk.Point
}

// groupBatch splits a batch by (monitor, location), keeping arrival order
// within each group.
func groupBatch(batch []MonitorResult) []seriesGroup {
	type key struct{ m, l string }
	idx := make(map[key]int)
	var groups []seriesGroup
	for _, mr := range batch {
		k := key{mr.MonitorID, mr.Result.Location}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, seriesGroup{monitor: k.m, location: k.l})
		}
		groups[i].points = append(groups[i].points, toPoint(mr.Result))
	}
	// Sorted so one transaction walks the file in key order.
	slices.SortFunc(groups, func(a, b seriesGroup) int {
		return cmp.Or(cmp.Compare(a.monitor, b.monitor), cmp.Compare(a.location, b.location))
	})
	return groups
}

func toPoint(r checks.Result) chunk.Point {
	return chunk.Point{
		T:       r.At.UnixMilli(),
		Status:  statusCode(r.Status),
		Latency: latencyUnits(r.LatencyMS),
		Message: capMessage(r.Message),
		Values:  capValues(r.Values),
	}
}

// capMessage cuts m to at most maxMessageBytes on a rune boundary, the
// last three of them an ellipsis.
func capMessage(m string) string {
	if len(m) <= maxMessageBytes {
		return m
	}
	const ellipsis = "…"
	n := maxMessageBytes - len(ellipsis)
	for n > 0 && !utf8.RuneStart(m[n]) {
		n--
	}
	return m[:n] + ellipsis
}

// capValues drops keys longer than maxValueKeyBytes and keeps the first
// maxValues of the others in key order. v itself is returned when nothing
// is dropped.
func capValues(v map[string]float64) map[string]float64 {
	if len(v) <= maxValues {
		long := false
		for k := range v {
			long = long || len(k) > maxValueKeyBytes
		}
		if !long {
			return v
		}
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		if len(k) <= maxValueKeyBytes {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make(map[string]float64, min(len(keys), maxValues))
	for _, k := range keys[:min(len(keys), maxValues)] {
		out[k] = v[k]
	}
	return out
}

func toResult(loc string, p chunk.Point) checks.Result {
	r := checks.Result{
		At:        time.UnixMilli(p.T).UTC(),
		Location:  loc,
		Status:    statusName(p.Status),
		LatencyMS: float64(p.Latency) / 100,
		Message:   p.Message,
	}
	if len(p.Values) > 0 {
		// Decoded points share maps; every result gets its own.
		r.Values = make(map[string]float64, len(p.Values))
		for k, v := range p.Values {
			r.Values[k] = v
		}
	}
	return r
}

func latencyUnits(ms float64) int64 {
	u := math.Round(ms * 100)
	switch {
	case !(u > 0): // negative, zero or NaN
		return 0
	case u > maxLatencyUnits:
		return maxLatencyUnits
	}
	return int64(u)
}

func statusCode(s checks.Status) uint8 {
	switch s {
	case checks.StatusOK:
		return chunk.StatusOK
	case checks.StatusWarning:
		return chunk.StatusWarning
	case checks.StatusProblem:
		return chunk.StatusProblem
	}
	return chunk.StatusUnknown
}

func statusName(c uint8) checks.Status {
	switch c {
	case chunk.StatusOK:
		return checks.StatusOK
	case chunk.StatusWarning:
		return checks.StatusWarning
	case chunk.StatusProblem:
		return checks.StatusProblem
	}
	return checks.StatusUnknown
}
