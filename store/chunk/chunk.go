package chunk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Version is the first byte of every chunk this package writes.
const Version = 1

// MaxPoints is the most points one chunk can hold.
const MaxPoints = math.MaxUint16

const headerLen = 3

// Status codes as stored in the two low bits of a point's flag byte.
const (
	StatusOK uint8 = iota
	StatusWarning
	StatusProblem
	StatusUnknown
)

const (
	flagStatus     = 0x03
	flagMsgChanged = 0x04
	flagValChanged = 0x08
	flagDodZero    = 0x10
	flagLatZero    = 0x20
	flagValDelta   = 0x40 // with flagValChanged: values in the delta form
	flagReserved   = 0x80
)

// ErrCorrupt is returned (wrapped) for bytes that are not a valid chunk.
var ErrCorrupt = errors.New("chunk: corrupt")

// ErrFull is returned by Append when the chunk already holds MaxPoints.
var ErrFull = errors.New("chunk: full")

// Point is one stored result. T is unix milliseconds, Latency is in units of
// 10 µs. A nil and an empty Values map are the same (both decode as nil).
type Point struct {
	T       int64
	Status  uint8
	Latency int64
	Message string
	Values  map[string]float64
}

// state is what the next point is encoded against.
type state struct {
	t, delta, lat int64
	msg           string
	vals          map[string]float64
	keys          []string // vals' keys, sorted
	msgs          []string // distinct messages of the chunk, in order of first use
	n             int
	// inPlace lets value deltas change vals in place instead of a copy:
	// only the last point's values are kept.
	inPlace bool
}

// Appender adds points to a chunk. Its zero value is not usable: use
// NewAppender.
type Appender struct {
	buf   []byte
	st    state
	first Point
	last  Point
}

// NewAppender returns an appender that continues the chunk b (nil or empty
// for a new chunk). b is copied, so it may be a read-only bbolt value.
func NewAppender(b []byte) (*Appender, error) {
	a := &Appender{}
	if len(b) == 0 {
		a.buf = []byte{Version, 0, 0}
		return a, nil
	}
	a.st.inPlace = true
	err := iterate(b, &a.st, func(p Point) bool {
		if a.st.n == 1 {
			a.first = p
			a.first.Values = maps.Clone(p.Values) // the decode goes on changing p's
		}
		a.last = p
		return true
	})
	if err != nil {
		return nil, err
	}
	// Append replaces vals, never changes them: last may share the map.
	a.st.inPlace = false
	a.buf = make([]byte, len(b), len(b)+64)
	copy(a.buf, b)
	return a, nil
}

// Len is the number of points in the chunk.
func (a *Appender) Len() int { return a.st.n }

// First returns the first point; ok is false for an empty chunk.
func (a *Appender) First() (p Point, ok bool) { return a.first, a.st.n > 0 }

// Last returns the last point; ok is false for an empty chunk.
func (a *Appender) Last() (p Point, ok bool) { return a.last, a.st.n > 0 }

// Bytes returns the encoded chunk. It stays valid until the next Append.
func (a *Appender) Bytes() []byte { return a.buf }

// Append adds p. Points may come in any time order; steady intervals and
// unchanged messages and values cost least.
func (a *Appender) Append(p Point) error {
	if a.st.n >= MaxPoints {
		return ErrFull
	}
	st := &a.st
	flag := p.Status & flagStatus
	delta := p.T - st.t
	dod := delta - st.delta
	dlat := p.Latency - st.lat
	msgChanged := p.Message != st.msg
	valChanged := !sameValues(p.Values, st.vals)
	if msgChanged {
		flag |= flagMsgChanged
	}
	deltaVals := valChanged && sameKeys(p.Values, st.keys)
	if valChanged {
		flag |= flagValChanged
	}
	if deltaVals {
		flag |= flagValDelta
	}
	if dod == 0 {
		flag |= flagDodZero
	}
	if dlat == 0 {
		flag |= flagLatZero
	}
	b := append(a.buf, flag)
	if dod != 0 {
		b = binary.AppendVarint(b, dod)
	}
	if dlat != 0 {
		b = binary.AppendVarint(b, dlat)
	}
	if msgChanged {
		b = a.appendMessage(b, p.Message)
	}
	switch {
	case deltaVals:
		b = appendValueDeltas(b, st.keys, st.vals, p.Values)
	case valChanged:
		st.keys = sortedKeys(p.Values)
		b = appendValues(b, st.keys, p.Values)
	}
	if valChanged {
		st.vals = normValues(p.Values)
	}
	st.t, st.delta, st.lat, st.msg = p.T, delta, p.Latency, p.Message
	st.n++
	binary.BigEndian.PutUint16(b[1:3], uint16(st.n))
	a.buf = b
	p.Values = st.vals
	if st.n == 1 {
		a.first = p
	}
	a.last = p
	return nil
}

// appendMessage writes a reference to an earlier message of the chunk
// (1-based) or 0 and a new literal, so a flapping message costs one byte.
func (a *Appender) appendMessage(b []byte, m string) []byte {
	if i := slices.Index(a.st.msgs, m); i >= 0 {
		return binary.AppendUvarint(b, uint64(i+1))
	}
	a.st.msgs = append(a.st.msgs, m)
	b = binary.AppendUvarint(b, 0)
	b = binary.AppendUvarint(b, uint64(len(m)))
	return append(b, m...)
}

func normValues(v map[string]float64) map[string]float64 {
	if len(v) == 0 {
		return nil
	}
	return maps.Clone(v)
}

// sameValues compares bit patterns, so NaN equals NaN and -0 differs from 0:
// what is stored is exactly what was given.
func sameValues(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || math.Float64bits(x) != math.Float64bits(y) {
			return false
		}
	}
	return true
}

// Encode packs pts into one chunk.
func Encode(pts []Point) ([]byte, error) {
	a, _ := NewAppender(nil)
	for _, p := range pts {
		if err := a.Append(p); err != nil {
			return nil, err
		}
	}
	return a.Bytes(), nil
}

// Decode unpacks a chunk. Consecutive points with unchanged values share one
// map: callers that hand points out must clone it.
func Decode(b []byte) ([]Point, error) {
	var pts []Point
	err := Iterate(b, func(p Point) bool {
		pts = append(pts, p)
		return true
	})
	return pts, err
}

// Count returns the number of points in a chunk from its header alone.
func Count(b []byte) (int, error) {
	if len(b) < headerLen || b[0] != Version {
		return 0, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	return int(binary.BigEndian.Uint16(b[1:3])), nil
}

// Iterate calls fn for each point in order until fn returns false, so a
// reader can stop early at the end of a time window.
func Iterate(b []byte, fn func(Point) bool) error {
	var st state
	return iterate(b, &st, fn)
}
