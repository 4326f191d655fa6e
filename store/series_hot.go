package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/vigil-monitor/vigil/store/chunk"

	bolt "go.etcd.io/bbolt"
)

// The open raw chunk of every (monitor, location) lives in one shared
// bucket, not in its monitor's raw bucket, and moves there when it closes.
//
// Why: bbolt reads through a shared mapping of the file, and the kernel
// maps the 64 KiB around every page a read faults in. With each open chunk
// in its monitor's own buckets, an append read and copied (copy-on-write)
// the monitor's root page, its raw bucket's branch and leaf and its meta,
// pages spread over the whole file, so every 64 KiB of the file stayed
// mapped and RSS grew with the file. Kept together, appends touch only the
// pages of this bucket (and the monitors bucket, to check the monitor still
// exists); a monitor's own buckets are touched when a chunk closes (every
// chunkMaxPoints results), by Compact, and by reads.
var bucketSeriesOpen = []byte("series-open")

func init() { topBuckets = append(topBuckets, bucketSeriesOpen) }

// An open chunk's value: its start (the first point's time, unix ms), the
// earliest time appended since Compact last looked at it (math.MaxInt64
// for none), then the chunk. The second field lets an append leave the
// rollup watermarks alone, which live in the monitor's meta bucket: Compact
// lowers them for late results before it builds rollups.
const openHeaderLen = 16

// openChunk is one decoded open-chunk value. chunk points into the value
// (bbolt memory): valid only in its transaction, copied before a write.
type openChunk struct {
	start, dirtyFrom int64
	chunk            []byte
}

// openKey is a monitor id's length, the id and the location name, so every
// location of a monitor shares a prefix and no name can run into another.
func openKey(monitor, location string) []byte {
	k := make([]byte, 0, 1+len(monitor)+len(location))
	k = append(k, byte(len(monitor)))
	k = append(k, monitor...)
	return append(k, location...)
}

func openPrefix(monitor string) []byte {
	return append([]byte{byte(len(monitor))}, monitor...)
}

func encodeOpen(o openChunk) []byte {
	v := make([]byte, openHeaderLen, openHeaderLen+len(o.chunk))
	binary.BigEndian.PutUint64(v, uint64(o.start))
	binary.BigEndian.PutUint64(v[8:], uint64(o.dirtyFrom))
	return append(v, o.chunk...)
}

var errOpenHeader = errors.New("open chunk shorter than its header")

// decodeOpen splits an open-chunk value; the chunk itself is not checked.
func decodeOpen(v []byte) (openChunk, error) {
	if len(v) < openHeaderLen {
		return openChunk{}, errOpenHeader
	}
	return openChunk{
		start:     int64(binary.BigEndian.Uint64(v)),
		dirtyFrom: int64(binary.BigEndian.Uint64(v[8:])),
		chunk:     v[openHeaderLen:],
	}, nil
}

// open returns location name's open chunk; ok is false when it has none
// or its value is too short to hold its header (bad is then true).
func (s *series) open(name string) (o openChunk, ok, bad bool) {
	v := s.hot.Get(openKey(s.id, name))
	if v == nil {
		return openChunk{}, false, false
	}
	o, err := decodeOpen(v)
	if err != nil {
		return openChunk{}, false, true
	}
	return o, true, false
}

// closeOpen moves location name's open chunk to the monitor's raw bucket
// under its start. idx is the location's index.
func (s *series) closeOpen(name string, idx uint16, o openChunk) error {
	if err := s.raw.Put(seriesKey(idx, o.start), cloneBytes(o.chunk)); err != nil {
		return fmt.Errorf("close open chunk: %w", err)
	}
	return s.hot.Delete(openKey(s.id, name))
}

// moveOpenAside moves location name's open chunk, which did not decode,
// into the series' corrupt bucket under the raw tier's name and the key it
// would have had (start; the location's first possible key when unknown).
func (s *series) moveOpenAside(name string, start int64) error {
	key := openKey(s.id, name)
	v := cloneBytes(s.hot.Get(key))
	if v == nil {
		return nil
	}
	idx, _, err := s.locIndex(name, true)
	if err != nil {
		return err
	}
	cb, err := s.root.CreateBucketIfNotExists(bucketCorrupt)
	if err != nil {
		return fmt.Errorf("move aside: %w", err)
	}
	if cb, err = cb.CreateBucketIfNotExists(bucketRaw); err != nil {
		return fmt.Errorf("move aside: %w", err)
	}
	if o, err := decodeOpen(v); err == nil {
		v = o.chunk // kept as the raw chunks are, for forensics
	}
	if err := cb.Put(seriesKey(idx, start), v); err != nil {
		return fmt.Errorf("move aside: %w", err)
	}
	return s.hot.Delete(key)
}

// deleteOpen removes every open chunk of monitor id.
func deleteOpen(hot *bolt.Bucket, id string) error {
	prefix := openPrefix(id)
	var keys [][]byte
	c := hot.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, cloneBytes(k))
	}
	for _, k := range keys {
		if err := hot.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

// takeLate lowers location name's watermarks m for the results appended
// to its open chunk since the last Compact that are older than what is
// rolled up (late ones), and clears the open chunk's record of them.
func (s *series) takeLate(idx uint16, name string, m *marks) error {
	o, ok, _ := s.open(name)
	if !ok || o.dirtyFrom == math.MaxInt64 {
		return nil
	}
	if o.dirtyFrom < m.minute {
		m.minute = floorTo(o.dirtyFrom, minuteD)
		m.hour = min(m.hour, floorTo(o.dirtyFrom, hourD))
	}
	o.dirtyFrom = math.MaxInt64
	return s.hot.Put(openKey(s.id, name), encodeOpen(o))
}

// closeStaleOpen closes location name's open chunk once its last result is
// before the raw tier's cut and rolled up, so prune can delete it and an
// open chunk never holds results older than the series' floor (which lets
// appends leave the floor unread).
func (s *series) closeStaleOpen(idx uint16, name string, m marks, c cuts) error {
	o, ok, _ := s.open(name)
	if !ok {
		return nil
	}
	var last int64 = math.MinInt64
	if err := chunk.Iterate(o.chunk, func(p chunk.Point) bool { last = p.T; return true }); err != nil {
		return nil // a read or the next append moves it aside
	}
	if last >= c.raw || last >= m.minute {
		return nil
	}
	return s.closeOpen(name, idx, o)
}

// newestChunk returns the newest chunk of location idx (name): its open
// chunk, or else its newest raw chunk; nil when it has none.
func (s *series) newestChunk(idx uint16, name string) []byte {
	if o, ok, _ := s.open(name); ok {
		return o.chunk
	}
	_, v := lastChunk(s.raw, idx)
	return v
}
