package chunk

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
)

// Value codes of the delta form, two bits per key in the bitmap.
const (
	valSame  = 0 // bit-identical to the previous point's value
	valCents = 1 // zigzag varint delta of round(v*100), never zero
	valRaw   = 2 // the float64's 8 bytes, little-endian
)

// appendValues writes the full form: the values sorted by key; a float's
// bytes are reversed so small integers (status codes, counts) make short
// varints. keys are v's keys, sorted.
func appendValues(b []byte, keys []string, v map[string]float64) []byte {
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, bits.ReverseBytes64(math.Float64bits(v[k])))
	}
	return b
}

// appendValueDeltas writes the delta form of cur against prev, which have
// the same keys (sorted in keys): a bitmap of value codes, then per key in
// order its cents delta or raw bytes. A timing rounded to 0.01 ms costs a
// byte or two, an unchanged value two bits.
func appendValueDeltas(b []byte, keys []string, prev, cur map[string]float64) []byte {
	at := len(b)
	b = append(b, make([]byte, bitmapLen(len(keys)))...)
	for i, k := range keys {
		x, y := prev[k], cur[k]
		kx, okx := cents(x)
		ky, oky := cents(y)
		code := valSame
		switch {
		case math.Float64bits(x) == math.Float64bits(y):
		case okx && oky:
			code = valCents
			b = binary.AppendVarint(b, ky-kx) // wraps: the decoder adds it back
		default:
			code = valRaw
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(y))
		}
		b[at+i/4] |= byte(code) << (2 * (i % 4))
	}
	return b
}

func bitmapLen(n int) int { return (n + 3) / 4 }

// cents returns k = round(v*100) and whether float64(k)/100 is v bit for
// bit, so that v can be stored as k. NaN, ±Inf, -0 and values whose k
// overflows int64 are not.
func cents(v float64) (int64, bool) {
	r := math.Round(v * 100)
	if !(r >= -0x1p63 && r < 0x1p63) {
		return 0, false
	}
	k := int64(r)
	return k, math.Float64bits(float64(k)/100) == math.Float64bits(v)
}

// sameKeys reports whether v has exactly the keys in keys (sorted, distinct),
// the precondition of the delta form.
func sameKeys(v map[string]float64, keys []string) bool {
	if len(keys) == 0 || len(v) != len(keys) {
		return false
	}
	for _, k := range keys {
		if _, ok := v[k]; !ok {
			return false
		}
	}
	return true
}

// readValues reads the full form and returns the values and their sorted
// keys. It accepts only keys strictly increasing, as appendValues writes,
// but also the previous point's keys, which chunks written before the delta
// form repeat.
func readValues(r *reader) (map[string]float64, []string, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, nil, err
	}
	// Each entry takes at least two bytes.
	if n > uint64(len(r.b)-r.off)/2 {
		return nil, nil, fmt.Errorf("%w: %d values past the end", ErrCorrupt, n)
	}
	if n == 0 {
		return nil, nil, nil
	}
	v := make(map[string]float64, n)
	keys := make([]string, 0, n)
	for i := uint64(0); i < n; i++ {
		k, err := r.string()
		if err != nil {
			return nil, nil, err
		}
		if i > 0 && k <= keys[i-1] {
			return nil, nil, fmt.Errorf("%w: value keys out of order", ErrCorrupt)
		}
		u, err := r.uvarint()
		if err != nil {
			return nil, nil, err
		}
		v[k] = math.Float64frombits(bits.ReverseBytes64(u))
		keys = append(keys, k)
	}
	return v, keys, nil
}

// readValueDeltas reads the delta form against prev (keys sorted) into a
// new map: prev may be shared with earlier points. It accepts only what
// appendValueDeltas writes. The bitmap is checked against the bytes left
// before the map is made, so allocation stays bounded by the input.
//
// With inPlace prev itself is changed and returned: for a reader that keeps
// no point but the last (an appender continuing a chunk), so a chunk of n
// points does not cost n maps.
func readValueDeltas(r *reader, keys []string, prev map[string]float64, inPlace bool) (map[string]float64, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: value deltas without previous values", ErrCorrupt)
	}
	nb := bitmapLen(len(keys))
	if nb > len(r.b)-r.off {
		return nil, fmt.Errorf("%w: value bitmap past the end", ErrCorrupt)
	}
	bm := r.b[r.off : r.off+nb]
	r.off += nb
	if pad := 2 * (len(keys) % 4); pad != 0 && bm[nb-1]>>pad != 0 {
		return nil, fmt.Errorf("%w: value bitmap padding", ErrCorrupt)
	}
	v := prev
	if !inPlace {
		v = maps.Clone(prev)
	}
	changed := false
	for i, k := range keys {
		code := bm[i/4] >> (2 * (i % 4)) & 3
		if code == valSame {
			continue
		}
		y, err := readValueDelta(r, code, prev[k])
		if err != nil {
			return nil, fmt.Errorf("%w (key %q)", err, k)
		}
		v[k] = y
		changed = true
	}
	if !changed {
		return nil, fmt.Errorf("%w: value deltas without a change", ErrCorrupt)
	}
	return v, nil
}

// readValueDelta reads one changed value coded code against x.
func readValueDelta(r *reader, code byte, x float64) (float64, error) {
	kx, okx := cents(x)
	switch code {
	case valCents:
		d, err := r.varint()
		if err != nil {
			return 0, err
		}
		if !okx || d == 0 {
			return 0, fmt.Errorf("%w: bad cents delta", ErrCorrupt)
		}
		k := kx + d
		y := float64(k) / 100
		if ky, ok := cents(y); !ok || ky != k {
			return 0, fmt.Errorf("%w: cents %d out of range", ErrCorrupt, k)
		}
		return y, nil
	case valRaw:
		if len(r.b)-r.off < 8 {
			return 0, fmt.Errorf("%w: truncated at byte %d", ErrCorrupt, r.off)
		}
		y := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
		r.off += 8
		if _, oky := cents(y); math.Float64bits(y) == math.Float64bits(x) || okx && oky {
			return 0, fmt.Errorf("%w: raw value that has a shorter form", ErrCorrupt)
		}
		return y, nil
	}
	return 0, fmt.Errorf("%w: value code %d", ErrCorrupt, code)
}

func sortedKeys(v map[string]float64) []string {
	if len(v) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(v))
}
