package chunk

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// AggVersion is the first byte of every aggregate pack.
const AggVersion = 1

// MaxAggs is the most entries one pack can hold (a pack spans one hour of
// minutes or one day of hours, so real packs hold at most 60).
const MaxAggs = 4096

// Agg is the rollup of one period (a minute or an hour) of one series. Off
// is the period's index inside its pack (minute of the hour, hour of the
// day). Sum, Min and Max are latencies in 10 µs units over all N() results.
type Agg struct {
	Off                           uint32
	OK, Warning, Problem, Unknown uint32
	Sum, Min, Max                 int64
}

// N is the number of results the aggregate covers.
func (a Agg) N() uint64 {
	return uint64(a.OK) + uint64(a.Warning) + uint64(a.Problem) + uint64(a.Unknown)
}

// Add counts one result into a.
func (a *Agg) Add(status uint8, latency int64) {
	if a.N() == 0 || latency < a.Min {
		a.Min = latency
	}
	if a.N() == 0 || latency > a.Max {
		a.Max = latency
	}
	a.Sum += latency
	switch status {
	case StatusOK:
		a.OK++
	case StatusWarning:
		a.Warning++
	case StatusProblem:
		a.Problem++
	default:
		a.Unknown++
	}
}

// Merge folds b (a sub-period) into a.
func (a *Agg) Merge(b Agg) {
	if b.N() == 0 {
		return
	}
	if a.N() == 0 || b.Min < a.Min {
		a.Min = b.Min
	}
	if a.N() == 0 || b.Max > a.Max {
		a.Max = b.Max
	}
	a.Sum += b.Sum
	a.OK += b.OK
	a.Warning += b.Warning
	a.Problem += b.Problem
	a.Unknown += b.Unknown
}

// EncodeAggs packs aggs, which must be sorted by Off with no duplicates.
func EncodeAggs(aggs []Agg) ([]byte, error) {
	if len(aggs) > MaxAggs {
		return nil, fmt.Errorf("chunk: %d aggregates, at most %d", len(aggs), MaxAggs)
	}
	b := []byte{AggVersion}
	b = binary.AppendUvarint(b, uint64(len(aggs)))
	prev := int64(-1)
	for _, a := range aggs {
		if int64(a.Off) <= prev {
			return nil, fmt.Errorf("chunk: aggregates not sorted by offset")
		}
		b = binary.AppendUvarint(b, uint64(int64(a.Off)-prev-1))
		prev = int64(a.Off)
		for _, c := range []uint32{a.OK, a.Warning, a.Problem, a.Unknown} {
			b = binary.AppendUvarint(b, uint64(c))
		}
		b = binary.AppendVarint(b, a.Min)
		b = binary.AppendVarint(b, a.Max-a.Min)
		b = binary.AppendVarint(b, a.Sum)
	}
	return b, nil
}

// AggCount returns the number of entries in a pack from its header alone.
func AggCount(b []byte) (int, error) {
	if len(b) < 2 || b[0] != AggVersion {
		return 0, fmt.Errorf("%w: bad aggregate header", ErrCorrupt)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > MaxAggs {
		return 0, fmt.Errorf("%w: bad aggregate count", ErrCorrupt)
	}
	return int(n), nil
}

// DecodeAggs unpacks a pack written by EncodeAggs.
func DecodeAggs(b []byte) ([]Agg, error) {
	n, err := AggCount(b)
	if err != nil {
		return nil, err
	}
	r := reader{b: b, off: 1}
	if _, err := r.uvarint(); err != nil {
		return nil, err
	}
	// Each entry takes at least eight bytes.
	if n > (len(b)-r.off)/8 {
		return nil, fmt.Errorf("%w: %d aggregates in %d bytes", ErrCorrupt, n, len(b))
	}
	aggs := make([]Agg, 0, n)
	off := int64(-1)
	for range n {
		a, err := readAgg(&r, &off)
		if err != nil {
			return nil, err
		}
		aggs = append(aggs, a)
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b)-r.off)
	}
	return aggs, nil
}

func readAgg(r *reader, off *int64) (Agg, error) {
	var a Agg
	gap, err := r.uvarint()
	if err != nil {
		return a, err
	}
	if gap > 1<<32 || *off+1+int64(gap) > 1<<32-1 {
		return a, fmt.Errorf("%w: aggregate offset out of range", ErrCorrupt)
	}
	*off += 1 + int64(gap)
	a.Off = uint32(*off)
	for _, c := range []*uint32{&a.OK, &a.Warning, &a.Problem, &a.Unknown} {
		v, err := r.uvarint()
		if err != nil {
			return a, err
		}
		if v > 1<<32-1 {
			return a, fmt.Errorf("%w: aggregate count out of range", ErrCorrupt)
		}
		*c = uint32(v)
	}
	var spread int64
	for _, p := range []*int64{&a.Min, &spread, &a.Sum} {
		if *p, err = r.varint(); err != nil {
			return a, err
		}
	}
	a.Max = a.Min + spread
	return a, nil
}

// ReplaceAggs returns old with every entry whose Off is in [from, to)
// replaced by the entries of repl (which must lie in that range), sorted.
// Recomputing a range this way never counts a result twice.
func ReplaceAggs(old []Agg, from, to uint32, repl []Agg) []Agg {
	out := make([]Agg, 0, len(old)+len(repl))
	for _, a := range old {
		if a.Off < from || a.Off >= to {
			out = append(out, a)
		}
	}
	out = append(out, repl...)
	slices.SortFunc(out, func(x, y Agg) int { return int(int64(x.Off) - int64(y.Off)) })
	return out
}
