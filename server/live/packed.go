package live

import "encoding/binary"

// packed holds ringHours counts in as few bits each as the counts held
// need. A count is kept as a code relative to base: code 0 is the count 0
// (an hour without results), code c > 0 is the count base+c-1. The width
// (0, 4, 8, 16 or 32 bits a code) is the narrowest whose codes reach from
// the smallest nonzero count held to the largest. A monitor checked every
// 10 s has 358–362 results an hour: four bits each, where plain uint32s
// took 32. Width 0 holds no array at all: every count is 0, as the
// failure counts of a monitor that did not fail for 30 days are.
//
// Why offsets from base rather than narrow integers: the counts of a busy
// monitor (360 an hour) do not fit a byte, but their spread does. Why not
// a sparse map: after 30 days every hour of a running monitor has results.
type packed struct {
	base    uint32 // the count of code 1
	nonzero uint16 // slots whose count is not 0
	bits    uint8  // bits a code: 0, 4, 8, 16 or 32
	// mayNarrow is set when a count that may have set the width (the
	// smallest, or one that needed the width) was replaced: only then can
	// tidy find a narrower one.
	mayNarrow bool
	codes     []byte // ringHours*bits/8 bytes; nil when bits is 0
}

// maxCode is the largest code of a width.
func maxCode(bits uint8) uint64 { return 1<<uint64(bits) - 1 }

// bitsFor is the narrowest width whose codes span lo..hi (0 < lo <= hi).
func bitsFor(lo, hi uint32) uint8 {
	spread := uint64(hi-lo) + 1 // codes 1..spread
	for _, b := range []uint8{4, 8, 16} {
		if spread <= maxCode(b) {
			return b
		}
	}
	return 32
}

// get returns the count in slot i.
func (p *packed) get(i int) uint32 {
	c := p.code(i)
	if c == 0 {
		return 0
	}
	return p.base + c - 1
}

// code returns slot i's code.
func (p *packed) code(i int) uint32 {
	switch p.bits {
	case 0:
		return 0
	case 4:
		return uint32(p.codes[i/2]>>(4*(i%2))) & 0xf
	case 8:
		return uint32(p.codes[i])
	case 16:
		return uint32(binary.LittleEndian.Uint16(p.codes[2*i:]))
	default:
		return binary.LittleEndian.Uint32(p.codes[4*i:])
	}
}

// put writes code c to slot i, keeping nonzero and mayNarrow; c must fit
// the width.
func (p *packed) put(i int, c uint32) {
	old := p.code(i)
	switch {
	case old == 0 && c != 0:
		p.nonzero++
	case old != 0 && c == 0:
		p.nonzero--
	}
	if old == 1 || (p.bits > 4 && uint64(old) > maxCode(p.bits/2)) {
		p.mayNarrow = true
	}
	switch p.bits {
	case 4:
		shift := 4 * (i % 2)
		p.codes[i/2] = p.codes[i/2]&^(0xf<<shift) | byte(c)<<shift
	case 8:
		p.codes[i] = byte(c)
	case 16:
		binary.LittleEndian.PutUint16(p.codes[2*i:], uint16(c))
	case 32:
		binary.LittleEndian.PutUint32(p.codes[4*i:], c)
	}
}

// set stores count v in slot i, widening or rebasing when v does not fit.
func (p *packed) set(i int, v uint32) {
	switch {
	case v == 0:
		if p.bits > 0 {
			p.put(i, 0)
		}
	case p.bits > 0 && v >= p.base && uint64(v-p.base) < maxCode(p.bits):
		p.put(i, v-p.base+1)
	default:
		p.repack(i, v)
	}
}

// span returns the smallest and largest nonzero count held, with slot i
// read as v (i < 0 reads every slot as it is); ok is false when all are 0.
func (p *packed) span(i int, v uint32) (lo, hi uint32, ok bool) {
	for j := range ringHours {
		x := p.get(j)
		if j == i {
			x = v
		}
		if x == 0 {
			continue
		}
		if !ok || x < lo {
			lo = x
		}
		if !ok || x > hi {
			hi = x
		}
		ok = true
	}
	return lo, hi, ok
}

// repack re-encodes every slot, with slot i holding v (i < 0: none
// changes), at the narrowest width for the counts held. It costs
// ringHours steps; it runs only when a count falls outside the codes
// (rare once a monitor runs steadily) and from tidy.
func (p *packed) repack(i int, v uint32) {
	lo, hi, ok := p.span(i, v)
	if !ok {
		*p = packed{}
		return
	}
	q := packed{base: lo, bits: bitsFor(lo, hi)}
	q.codes = make([]byte, ringHours*int(q.bits)/8)
	for j := range ringHours {
		x := p.get(j)
		if j == i {
			x = v
		}
		if x > 0 {
			q.put(j, x-lo+1)
		}
	}
	*p = q
}

// tidy narrows the codes, or drops them when every count is 0, once the
// counts that needed the width have left the ring. Called once an hour
// per monitor (when the ring advances), it keeps the steady state honest:
// one failed hour widens a monitor's failure counts for 30 days, not for
// ever. It scans the ring only after a count that may have set the width
// was replaced, so loading 30 days of hours one by one stays linear.
func (p *packed) tidy() {
	switch {
	case p.bits == 0:
	case p.nonzero == 0:
		*p = packed{}
	case p.mayNarrow && p.bits > 4:
		p.mayNarrow = false
		if lo, hi, _ := p.span(-1, 0); bitsFor(lo, hi) < p.bits {
			p.repack(-1, 0)
		}
	}
}

// bytes is the memory the codes take.
func (p *packed) bytes() int { return cap(p.codes) }
