package live

import (
	"math"
	"testing"
)

func TestPackedWidths(t *testing.T) {
	tests := []struct {
		name     string
		set      map[int]uint32 // slot → count, set in slot order
		wantBits uint8
		wantBase uint32
	}{
		{name: "empty", set: nil, wantBits: 0},
		{name: "only zeros", set: map[int]uint32{0: 0, 5: 0}, wantBits: 0},
		{name: "a steady monitor's counts are offsets from the smallest", set: map[int]uint32{0: 358, 1: 362, 718: 360, 719: 372, 3: 0}, wantBits: 4, wantBase: 358},
		{name: "odd and even slots keep their own nibble", set: map[int]uint32{10: 1, 11: 15, 12: 8, 13: 0}, wantBits: 4, wantBase: 1},
		{name: "a spread of 16 needs a byte", set: map[int]uint32{0: 355, 1: 370}, wantBits: 8, wantBase: 355},
		{name: "a spread of 255 fits a byte", set: map[int]uint32{0: 100, 1: 354}, wantBits: 8, wantBase: 100},
		{name: "a spread of 256 needs two bytes", set: map[int]uint32{0: 100, 1: 355}, wantBits: 16, wantBase: 100},
		{name: "a spread of 65,535 fits two", set: map[int]uint32{0: 7, 1: 40_000, 2: 65_541}, wantBits: 16, wantBase: 7},
		{name: "a spread beyond 65,535 needs four", set: map[int]uint32{0: 1, 1: 65_536}, wantBits: 32, wantBase: 1},
		{name: "the largest count", set: map[int]uint32{0: 1, 1: math.MaxUint32}, wantBits: 32, wantBase: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p packed
			for i := range ringHours {
				if v, ok := tt.set[i]; ok {
					p.set(i, v)
				}
			}
			if p.bits != tt.wantBits || (p.bits > 0 && p.base != tt.wantBase) {
				t.Errorf("%d bits a count from base %d, want %d from %d", p.bits, p.base, tt.wantBits, tt.wantBase)
			}
			if want := ringHours * int(tt.wantBits) / 8; p.bytes() != want {
				t.Errorf("holds %d bytes, want %d", p.bytes(), want)
			}
			for i := range ringHours {
				if got := p.get(i); got != tt.set[i] {
					t.Fatalf("slot %d = %d, want %d", i, got, tt.set[i])
				}
			}
		})
	}
}

// TestPackedTidy checks that the width follows the counts held, down to
// nothing, as counts leave.
func TestPackedTidy(t *testing.T) {
	var p packed
	for i := range ringHours {
		p.set(i, 360)
	}
	p.set(10, 5)       // an hour mostly without results
	p.set(11, 100_000) // and one with very many
	if p.bits != 32 {
		t.Fatalf("%d bits a count, want 32", p.bits)
	}
	steps := []struct {
		slot     int
		v        uint32
		wantBits uint8
	}{
		{slot: 11, v: 360, wantBits: 16},
		{slot: 10, v: 200, wantBits: 8}, // the smallest count grew
		{slot: 10, v: 0, wantBits: 4},
		{slot: 10, v: 361, wantBits: 4},
		{slot: 12, v: 330, wantBits: 8}, // below the base: rebased, wider
	}
	for _, s := range steps {
		p.set(s.slot, s.v)
		p.tidy()
		if p.bits != s.wantBits {
			t.Fatalf("after slot %d = %d: %d bits a count, want %d", s.slot, s.v, p.bits, s.wantBits)
		}
		if got := p.get(s.slot); got != s.v {
			t.Fatalf("slot %d = %d, want %d", s.slot, got, s.v)
		}
	}
	for i := range ringHours {
		p.set(i, 0)
	}
	p.tidy()
	if p.bits != 0 || p.codes != nil {
		t.Errorf("all zero: %d bits a count in %d bytes, want nothing held", p.bits, len(p.codes))
	}
}
