package chunk

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden chunk in testdata")

// goldenPoints are a host monitor's results as the store keeps them: a
// message that changes with the value and flaps back, values in both
// forms (cents deltas, raw floats, a new key set), every status, a gap
// and an irregular step, a zero and a huge latency.
func goldenPoints() []Point {
	var pts []Point
	t := t0
	for i := range 40 {
		pct := 40 + float64(i%7)/10
		p := Point{
			T: t, Status: uint8(i % 4), Latency: int64(5 + i%3),
			Message: fmt.Sprintf("CPU %g%% used", pct),
			Values:  map[string]float64{"percent": pct, "total_bytes": 17179869184},
		}
		switch {
		case i == 10:
			p.Values = map[string]float64{"percent": math.Inf(1), "load1": 0.1 + 0.2}
		case i == 11:
			p.Values = nil
			p.Latency = 0
		case i == 20:
			p.Latency = 1 << 40
		}
		pts = append(pts, p)
		t += 10_000
		if i == 25 {
			t += 3_600_000 // the agent was away an hour
		}
		if i%9 == 0 {
			t += 7 // a late tick
		}
	}
	return pts
}

// TestGoldenChunk holds the byte format to the chunk in testdata, written
// by version 1 of this package (go test -run TestGoldenChunk -update
// rewrites it): chunks already on disk must keep decoding, and an
// appender must continue them.
func TestGoldenChunk(t *testing.T) {
	path := filepath.Join("testdata", "v1-host.chunk")
	pts := goldenPoints()
	enc, err := Encode(pts)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, enc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if golden[0] != 1 {
		t.Fatalf("golden chunk has version %d, want 1", golden[0])
	}
	got, err := Decode(golden)
	if err != nil {
		t.Fatalf("decode golden: %v", err)
	}
	if !equalPoints(got, pts) {
		t.Fatalf("golden chunk decodes to\n%v\nwant\n%v", got, pts)
	}
	if !bytes.Equal(enc, golden) {
		t.Errorf("the same points encode to %d bytes that differ from the golden %d", len(enc), len(golden))
	}
	a, err := NewAppender(golden)
	if err != nil {
		t.Fatal(err)
	}
	more := Point{T: pts[len(pts)-1].T + 10_000, Message: pts[0].Message, Values: pts[0].Values}
	if err := a.Append(more); err != nil {
		t.Fatal(err)
	}
	if got, err := Decode(a.Bytes()); err != nil || !equalPoints(got, append(pts, more)) {
		t.Fatalf("golden chunk continued: %v, %v", got, err)
	}
}
