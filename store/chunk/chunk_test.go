package chunk

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

const t0 = int64(1_795_000_000_000) // 2026-11-18, unix ms

func steady(n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{T: t0 + int64(i)*30_000, Latency: 1200, Message: "200 OK", Values: map[string]float64{"status_code": 200}}
	}
	return pts
}

// timings is an HTTP monitor: a fixed status code and timings in 0.01 ms
// steps that change every result.
func timings(n int) []Point {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := steady(n)
	for i := range pts {
		pts[i].Values = map[string]float64{
			"status_code": 200,
			"dns_ms":      float64(10+rng.IntN(200)) / 100,
			"connect_ms":  float64(10+rng.IntN(500)) / 100,
			"ttfb_ms":     float64(100+rng.IntN(1900)) / 100,
		}
	}
	return pts
}

// vals makes points one ms apart with the given values.
func vals(vs ...map[string]float64) []Point {
	pts := make([]Point, len(vs))
	for i, v := range vs {
		pts[i] = Point{T: t0 + int64(i), Values: v}
	}
	return pts
}

type fm = map[string]float64

var (
	negZero = math.Copysign(0, -1)
	nan1    = math.Float64frombits(0x7ff8000000000001) // a NaN with a payload
	tenth   = 0.1
	odd     = tenth + 0.2 // 0.30000000000000004: not a whole number of hundredths
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		pts  []Point
	}{
		{"empty", nil},
		{"one", []Point{{T: t0, Status: StatusOK, Latency: 1234, Message: "200 OK"}}},
		{"steady", steady(100)},
		{"message changes", []Point{
			{T: t0, Message: "200 OK"}, {T: t0 + 1, Message: "timeout"}, {T: t0 + 2, Message: "200 OK"},
			{T: t0 + 3, Message: ""}, {T: t0 + 4, Message: "timeout"}, {T: t0 + 5, Message: "ünïcode ✓"},
		}},
		{"values change", []Point{
			{T: t0, Values: map[string]float64{"a": 1, "b": 2}}, {T: t0 + 1, Values: map[string]float64{"a": 1, "b": 3}},
			{T: t0 + 2}, {T: t0 + 3, Values: map[string]float64{"x": math.Inf(-1), "y": -0.5, "z": 1e300}},
			{T: t0 + 4, Values: map[string]float64{"x": math.Inf(-1), "y": -0.5, "z": 1e300}},
		}},
		{"status flips", []Point{
			{T: t0, Status: StatusOK}, {T: t0 + 1, Status: StatusProblem}, {T: t0 + 2, Status: StatusWarning},
			{T: t0 + 3, Status: StatusUnknown}, {T: t0 + 4, Status: StatusOK},
		}},
		{"equal timestamps", []Point{{T: t0}, {T: t0}, {T: t0}, {T: t0 + 30_000}}},
		{"non-monotonic timestamps", []Point{{T: t0}, {T: t0 - 5}, {T: t0 + 100}, {T: t0 - 1_000_000}}},
		{"huge gaps", []Point{{T: math.MinInt64}, {T: math.MaxInt64}, {T: 0}, {T: math.MinInt64}, {T: -1}}},
		{"same keys, varying values", timings(100)},
		{"key set changes", vals(
			fm{"a": 0.14, "b": 2}, fm{"a": 0.15, "b": 2}, fm{"a": 0.15, "c": 2}, fm{"a": 0.16},
			fm{"a": 0.16, "b": 1, "c": 3}, nil, fm{"a": 0.17}, fm{}, fm{"": 1}, fm{"": 2},
		)},
		{"mixed representable", vals(
			fm{"a": 0.14, "b": 1.0 / 3, "c": odd}, fm{"a": 1.0 / 3, "b": 0.14, "c": 0.3},
			fm{"a": 0.15, "b": 0.14, "c": odd}, fm{"a": 0.15, "b": 2.0 / 3, "c": 0.31},
			fm{"a": -0.01, "b": 2.0 / 3, "c": 1e-300},
		)},
		{"NaN, Inf, -0", vals(
			fm{"x": 0}, fm{"x": negZero}, fm{"x": 0}, fm{"x": math.NaN()}, fm{"x": nan1},
			fm{"x": math.Inf(1)}, fm{"x": math.Inf(-1)}, fm{"x": 0.01}, fm{"x": math.NaN()},
			fm{"x": negZero}, fm{"x": -0.01},
		)},
		{"huge values", vals(
			fm{"x": 9.2e16}, fm{"x": -9.2e16}, fm{"x": 9.2e16}, fm{"x": 1e17}, fm{"x": 9.2e16},
			fm{"x": 1e300}, fm{"x": -math.MaxFloat64}, fm{"x": 0.01}, fm{"x": math.SmallestNonzeroFloat64},
			fm{"x": 0x1p53 / 100}, fm{"x": -0x1p53 / 100},
		)},
		{"many keys", vals(
			fm{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9},
			fm{"a": 1, "b": 2.5, "c": 3, "d": 4, "e": math.NaN(), "f": 6, "g": 7, "h": 8, "i": 9.01},
			fm{"a": 1, "b": 2.5, "c": 3, "d": 4, "e": math.NaN(), "f": 6, "g": 7, "h": 8, "i": 9.02},
		)},
		{"latency extremes", []Point{{T: t0, Latency: 0}, {T: t0 + 1, Latency: math.MaxInt64}, {T: t0 + 2, Latency: math.MinInt64}, {T: t0 + 3, Latency: -7}, {T: t0 + 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(tt.pts)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !equalPoints(got, tt.pts) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tt.pts)
			}
			if n, _ := Count(b); n != len(tt.pts) {
				t.Fatalf("Count = %d, want %d", n, len(tt.pts))
			}
		})
	}
}

func TestAppenderContinues(t *testing.T) {
	pts := steady(50)
	pts[20].Message = "timeout"
	pts[21].Values = nil
	testAppenderContinues(t, pts)
	pts = timings(50)
	pts[30].Values = fm{"status_code": 500}
	testAppenderContinues(t, pts)
}

func testAppenderContinues(t *testing.T, pts []Point) {
	t.Helper()
	whole, _ := Encode(pts)
	for split := 0; split <= len(pts); split += 7 {
		b, _ := Encode(pts[:split])
		a, err := NewAppender(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pts[split:] {
			if err := a.Append(p); err != nil {
				t.Fatal(err)
			}
		}
		if string(a.Bytes()) != string(whole) {
			t.Fatalf("split at %d: appended bytes differ from one encode", split)
		}
		if last, ok := a.Last(); !ok || last.T != pts[len(pts)-1].T {
			t.Fatalf("split at %d: Last = %+v, %v", split, last, ok)
		}
		if first, ok := a.First(); !ok || first.T != pts[0].T {
			t.Fatalf("split at %d: First = %+v, %v", split, first, ok)
		}
	}
}

func TestIterateStopsEarly(t *testing.T) {
	b, _ := Encode(steady(10))
	var n int
	if err := Iterate(b, func(Point) bool { n++; return n < 3 }); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("visited %d points, want 3", n)
	}
}

func TestSteadyIsSmall(t *testing.T) {
	pts := steady(240)
	for i := range pts {
		pts[i].T += int64(i%7) - 3              // a few ms of jitter
		pts[i].Latency = 1000 + int64(i*37%500) // 10–15 ms
	}
	b, _ := Encode(pts)
	if per := float64(len(b)) / float64(len(pts)); per > 8 {
		t.Fatalf("%.2f bytes per point, want at most 8", per)
	}
}

func TestTimingsAreSmall(t *testing.T) {
	pts := timings(240)
	for i := range pts {
		pts[i].T += int64(i%7) - 3
		pts[i].Latency = 1000 + int64(i*37%500)
	}
	b, _ := Encode(pts)
	// Flag, timestamp and latency as in TestSteadyIsSmall, a bitmap byte,
	// and three 2-byte deltas.
	if per := float64(len(b)) / float64(len(pts)); per > 12 {
		t.Fatalf("%.2f bytes per point, want at most 12", per)
	}
}

// TestValueDeltaBytes pins the delta form byte for byte.
func TestValueDeltaBytes(t *testing.T) {
	const flag = flagDodZero | flagLatZero | flagValChanged | flagValDelta
	raw := binary.LittleEndian.AppendUint64(nil, math.Float64bits(odd))
	tests := []struct {
		name       string
		prev, next fm
		want       []byte
	}{
		{"one cent up", fm{"a": 0.14}, fm{"a": 0.15}, []byte{flag, 0b01, 2}},
		{"one cent down", fm{"a": 0.14}, fm{"a": 0.13}, []byte{flag, 0b01, 1}},
		{"unchanged and raw", fm{"a": 0.14, "b": 200, "c": math.NaN()}, fm{"a": 0.15, "b": 200, "c": odd},
			append([]byte{flag, 0b10_00_01, 2}, raw...)},
		{"from raw to cents", fm{"a": odd}, fm{"a": 0.3}, binary.LittleEndian.AppendUint64([]byte{flag, 0b10}, math.Float64bits(0.3))},
		{"fifth key", fm{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}, fm{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1.64},
			[]byte{flag, 0, 0b01, 0x80, 0x01}}, // zigzag(64)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, _ := Encode([]Point{{Values: tt.prev}})
			both, _ := Encode([]Point{{Values: tt.prev}, {Values: tt.next}})
			if got := both[len(first):]; string(got) != string(tt.want) {
				t.Fatalf("second point % x, want % x", got, tt.want)
			}
		})
	}
}

func TestFull(t *testing.T) {
	a, _ := NewAppender(nil)
	for i := 0; i < MaxPoints; i++ {
		if err := a.Append(Point{T: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Append(Point{}); !errors.Is(err, ErrFull) {
		t.Fatalf("append past MaxPoints: %v, want ErrFull", err)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good, _ := Encode(steady(3))
	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"bad version", []byte{9, 0, 0}},
		{"count past end", []byte{Version, 0xff, 0xff, 0}},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte{}, good...), 0)},
		{"reserved flag", []byte{Version, 0, 1, 0xC0 | flagDodZero | flagLatZero}},
		{"bad message ref", []byte{Version, 0, 1, flagDodZero | flagLatZero | flagMsgChanged, 5}},
		{"string past end", []byte{Version, 0, 1, flagDodZero | flagLatZero | flagMsgChanged, 0, 100, 'a'}},
		{"values past end", []byte{Version, 0, 1, flagDodZero | flagLatZero | flagValChanged, 100, 1}},
		{"values unsorted", []byte{Version, 0, 1, flagDodZero | flagLatZero | flagValChanged, 2, 1, 'b', 0, 1, 'a', 0}},
		{"delta flag alone", []byte{Version, 0, 1, flagDodZero | flagLatZero | flagValDelta}},
		{"deltas without values", []byte{Version, 0, 1, vd, 0b01, 2}},
		{"bitmap past end", after(fm{"a": 0}, vd)},
		{"bitmap padding", after(fm{"a": 0}, vd, 0b0101, 2)},
		{"deltas without change", after(fm{"a": 0}, vd, 0)},
		{"value code 3", after(fm{"a": 0}, vd, 0b11)},
		{"zero cents delta", after(fm{"a": 0}, vd, 0b01, 0)},
		{"cents past end", after(fm{"a": 0}, vd, 0b01)},
		{"cents from raw value", after(fm{"a": math.NaN()}, vd, 0b01, 2)},
		{"cents out of range", after(fm{"a": 0}, binary.AppendVarint([]byte{vd, 0b01}, 1<<62+1)...)},
		{"raw past end", after(fm{"a": 0}, vd, 0b10, 1, 2, 3)},
		{"raw unchanged", after(fm{"a": 0.5}, binary.LittleEndian.AppendUint64([]byte{vd, 0b10}, math.Float64bits(0.5))...)},
		{"raw for cents", after(fm{"a": 0}, binary.LittleEndian.AppendUint64([]byte{vd, 0b10}, math.Float64bits(0.5))...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode = %v, want ErrCorrupt", err)
			}
			if _, err := NewAppender(tt.b); len(tt.b) > 0 && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("NewAppender = %v, want ErrCorrupt", err)
			}
		})
	}
}

// vd flags a point whose only change is its values, in the delta form.
const vd = flagDodZero | flagLatZero | flagValChanged | flagValDelta

// after encodes a point with values v and appends the bytes of a second.
func after(v fm, point ...byte) []byte {
	b, _ := Encode([]Point{{Values: v}})
	b = append(b, point...)
	binary.BigEndian.PutUint16(b[1:3], 2)
	return b
}

func equalPoints(a, b []Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.T != y.T || x.Status != y.Status || x.Latency != y.Latency || x.Message != y.Message || !sameValues(x.Values, y.Values) {
			return false
		}
	}
	return true
}
