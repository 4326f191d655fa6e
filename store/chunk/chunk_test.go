package chunk

import (
	"errors"
	"math"
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
