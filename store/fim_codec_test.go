package store

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

func TestFIMObjectCodecRoundTrip(t *testing.T) {
	mtime := time.Date(2026, 3, 1, 12, 30, 0, 123456789, time.UTC)
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		o    fim.Object
		max  int // the encoding's size is at most this
	}{
		{"file", fim.Object{Type: fim.TypeFile, SHA256: sum, Size: 1 << 40, Mode: 0o4755, UID: 0, GID: 4294967295, MTime: mtime, Inode: 1 << 63}, 70},
		{"dir", fim.Object{Type: fim.TypeDir, Mode: 0o755, UID: 1000, GID: 1000, MTime: mtime, Inode: 12}, 20},
		{"symlink", fim.Object{Type: fim.TypeSymlink, Target: "../lib/ünïcode", MTime: mtime}, 40},
		{"other", fim.Object{Type: fim.TypeOther}, 10},
		{"zero", fim.Object{}, 10},
		{"unknown type kept", fim.Object{Type: "door"}, 12},
		{"hash that is not lowercase hex kept", fim.Object{Type: fim.TypeFile, SHA256: strings.ToUpper(sum)}, 80},
		{"negative size kept", fim.Object{Type: fim.TypeFile, Size: -1}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := encodeFIMObject(nil, &tt.o)
			if len(b) > tt.max {
				t.Errorf("encoding is %d bytes, want at most %d", len(b), tt.max)
			}
			got, err := decodeFIMObject(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !sameFIMObject(got, tt.o) {
				t.Errorf("round trip = %+v, want %+v", got, tt.o)
			}
			if again := encodeFIMObject(nil, &got); !bytes.Equal(again, b) {
				t.Errorf("encoding is not canonical: %x then %x", b, again)
			}
		})
	}
}

func TestFIMObjectCodecRefusesDamage(t *testing.T) {
	good := encodeFIMObject(nil, &fim.Object{Type: fim.TypeSymlink, Target: "/x", MTime: time.Unix(5, 0)})
	for name, b := range map[string][]byte{
		"empty":          nil,
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte(nil), good...), 0),
		"unknown flag":   {0x80},
		"bad type code":  {0x07, 0, 0, 0, 0, 0},
		"both hashes":    {fimFlagSHARaw | fimFlagSHAString | 1},
		"huge string":    {0, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeFIMObject(b); err == nil {
				t.Errorf("decode(%x) = nil error, want one", b)
			}
		})
	}
}

// FuzzFIMObjectCodec: whatever the bytes, decoding never panics, and
// what decodes encodes to something that decodes to the same object.
func FuzzFIMObjectCodec(f *testing.F) {
	f.Add(encodeFIMObject(nil, &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("0f", 32), Size: 9, MTime: time.Unix(1, 2)}))
	f.Add(encodeFIMObject(nil, &fim.Object{Type: "x", Target: "t"}))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := decodeFIMObject(b)
		if err != nil {
			return
		}
		again, err := decodeFIMObject(encodeFIMObject(nil, &o))
		if err != nil || !sameFIMObject(again, o) {
			t.Fatalf("re-encoding %+v gave %+v, %v", o, again, err)
		}
	})
}

func sameFIMObject(a, b fim.Object) bool {
	am, bm := a.MTime, b.MTime
	a.MTime, b.MTime = time.Time{}, time.Time{}
	return a == b && am.Equal(bm)
}
