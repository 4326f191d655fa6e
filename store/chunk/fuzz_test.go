package chunk

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzChunkDecode feeds arbitrary bytes to the decoders (which must return
// an error, not panic) and, reading the same bytes as a recipe of points,
// checks that decode(encode(points)) == points.
func FuzzChunkDecode(f *testing.F) {
	b, _ := Encode(steady(5))
	f.Add(b)
	f.Add([]byte{Version, 0, 1, flagMsgChanged, 0, 2, 'o', 'k'})
	agg, _ := EncodeAggs([]Agg{{Off: 1, OK: 3, Sum: 30, Min: 9, Max: 11}})
	f.Add(agg)
	b, _ = Encode(timings(5))
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if pts, err := Decode(data); err == nil {
			again, err := Encode(pts)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if back, err := Decode(again); err != nil || !equalPoints(back, pts) {
				t.Fatalf("decoded points do not survive a second round trip: %v", err)
			}
		}
		_, _ = NewAppender(data)
		_, _ = DecodeAggs(data)

		pts := recipe(data)
		enc, err := Encode(pts)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !equalPoints(got, pts) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, pts)
		}
	})
}

// specials are values for the recipe that the delta form stores raw or at
// its limits.
var specials = [8]float64{0.25, 1.0 / 3, math.NaN(), math.Inf(1), math.Copysign(0, -1), 1e300, 9.2e16, -9.2e16}

// recipe turns fuzz bytes into points: 8 bytes each, taking time, latency,
// status, message and values choices from them.
func recipe(data []byte) []Point {
	msgs := []string{"", "200 OK", "timeout", "connection refused"}
	var pts []Point
	for len(data) >= 8 {
		v := binary.LittleEndian.Uint64(data)
		data = data[8:]
		p := Point{
			T:       int64(v>>8) * int64(int8(v)),
			Status:  uint8(v) & 3,
			Latency: int64(int16(v >> 16)),
			Message: msgs[(v>>32)&3],
		}
		switch (v >> 40) & 3 {
		case 1:
			p.Values = map[string]float64{"status_code": float64(v >> 48)}
		case 2:
			p.Values = map[string]float64{"a": float64(int8(v >> 48)), "b": -1}
		case 3:
			p.Values = map[string]float64{"status_code": 200, "ttfb_ms": float64(int8(v>>48)) / 100, "x": specials[(v>>56)&7]}
			if (v>>59)&1 == 1 {
				delete(p.Values, "status_code")
			}
		}
		pts = append(pts, p)
	}
	return pts
}
