package chunk

import (
	"encoding/binary"
	"fmt"
)

// reader consumes a chunk's bytes; every read checks the remaining length.
type reader struct {
	b   []byte
	off int
}

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, fmt.Errorf("%w: truncated at byte %d", ErrCorrupt, r.off)
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *reader) varint() (int64, error) {
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint at byte %d", ErrCorrupt, r.off)
	}
	r.off += n
	return v, nil
}

func (r *reader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad uvarint at byte %d", ErrCorrupt, r.off)
	}
	r.off += n
	return v, nil
}

// string reads a length-prefixed string; the length is checked against the
// bytes left, so a corrupt length cannot make a huge allocation.
func (r *reader) string() (string, error) {
	n, err := r.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(r.b)-r.off) {
		return "", fmt.Errorf("%w: string of %d bytes past the end", ErrCorrupt, n)
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s, nil
}

func iterate(b []byte, st *state, fn func(Point) bool) error {
	count, err := Count(b)
	if err != nil {
		return err
	}
	// Each point takes at least one byte.
	if count > len(b)-headerLen {
		return fmt.Errorf("%w: %d points in %d bytes", ErrCorrupt, count, len(b))
	}
	r := reader{b: b, off: headerLen}
	for i := 0; i < count; i++ {
		p, err := st.next(&r)
		if err != nil {
			return err
		}
		if !fn(p) {
			return nil
		}
	}
	if r.off != len(b) {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b)-r.off)
	}
	return nil
}

func (st *state) next(r *reader) (Point, error) {
	flag, err := r.byte()
	if err != nil {
		return Point{}, err
	}
	if flag&flagReserved != 0 {
		return Point{}, fmt.Errorf("%w: reserved flag bits %#x", ErrCorrupt, flag)
	}
	var dod, dlat int64
	if flag&flagDodZero == 0 {
		if dod, err = r.varint(); err != nil {
			return Point{}, err
		}
	}
	if flag&flagLatZero == 0 {
		if dlat, err = r.varint(); err != nil {
			return Point{}, err
		}
	}
	if flag&flagMsgChanged != 0 {
		if st.msg, err = st.readMessage(r); err != nil {
			return Point{}, err
		}
	}
	switch {
	case flag&flagValDelta != 0 && flag&flagValChanged == 0:
		return Point{}, fmt.Errorf("%w: value delta flag without values", ErrCorrupt)
	case flag&flagValDelta != 0:
		if st.vals, err = readValueDeltas(r, st.keys, st.vals, st.inPlace); err != nil {
			return Point{}, err
		}
	case flag&flagValChanged != 0:
		if st.vals, st.keys, err = readValues(r); err != nil {
			return Point{}, err
		}
	}
	st.delta += dod
	st.t += st.delta
	st.lat += dlat
	st.n++
	return Point{T: st.t, Status: flag & flagStatus, Latency: st.lat, Message: st.msg, Values: st.vals}, nil
}

func (st *state) readMessage(r *reader) (string, error) {
	ref, err := r.uvarint()
	if err != nil {
		return "", err
	}
	if ref > 0 {
		if ref > uint64(len(st.msgs)) {
			return "", fmt.Errorf("%w: message reference %d of %d", ErrCorrupt, ref, len(st.msgs))
		}
		return st.msgs[ref-1], nil
	}
	m, err := r.string()
	if err != nil {
		return "", err
	}
	st.msgs = append(st.msgs, m)
	return m, nil
}
