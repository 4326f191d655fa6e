package live

import (
	"math/rand/v2"
	"testing"

	"github.com/vigil-monitor/vigil/checks"
)

// TestRingMatchesReference drives the packed ring and the plain one it
// replaced with the same random hours and counts, and compares every
// hour held, both sums and the sums read ahead after each step.
func TestRingMatchesReference(t *testing.T) {
	const start = int64(500_000) // an hour number in 2027
	steady := func(rng *rand.Rand) uint32 { return 355 + rng.Uint32N(11) }
	tests := []struct {
		name  string
		steps int
		// next returns the hour to add to (given the head) and its counts.
		next func(rng *rand.Rand, head int64) (int64, bucket)
	}{
		{name: "10 s monitor over 40 days, rare failures", steps: 960, next: func(rng *rand.Rand, head int64) (int64, bucket) {
			n := steady(rng)
			b := bucket{up: n, total: n}
			if rng.IntN(50) == 0 {
				b.up -= rng.Uint32N(n + 1)
			}
			return head + 1, b
		}},
		{name: "results one at a time, some late", steps: 20_000, next: func(rng *rand.Rand, head int64) (int64, bucket) {
			h := head + int64(rng.IntN(100)/97) // a new hour now and then
			if rng.IntN(20) == 0 {
				h = head - int64(rng.IntN(ringHours+50)) // late, sometimes too late
			}
			return h, countOf(statusOf(rng.IntN(10) != 0), 1)
		}},
		{name: "gaps of a day, of the whole ring, and partial hours", steps: 3_000, next: func(rng *rand.Rand, head int64) (int64, bucket) {
			h := head + 1
			switch rng.IntN(100) {
			case 0:
				h += 30
			case 1:
				h += ringHours + int64(rng.IntN(3)) - 1
			}
			n := steady(rng)
			if rng.IntN(10) == 0 {
				n = rng.Uint32N(60) // an agent away for most of the hour
			}
			return h, bucket{up: n - min(n, rng.Uint32N(3)), total: n}
		}},
		{name: "counts of every width", steps: 4_000, next: func(rng *rand.Rand, head int64) (int64, bucket) {
			var n uint32
			switch rng.IntN(4) {
			case 0:
				n = rng.Uint32N(200)
			case 1:
				n = 1000 + rng.Uint32N(60_000)
			case 2:
				n = rng.Uint32N(1 << 24)
			default:
				n = 0
			}
			h := head + int64(rng.IntN(3))
			if rng.IntN(5) == 0 {
				h = head - int64(rng.IntN(ringHours))
			}
			return h, bucket{up: rng.Uint32N(n + 1), total: n}
		}},
	}
	for seed, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 42))
			var got hours
			var want refHours
			head := start
			for step := range tt.steps {
				h, b := tt.next(rng, head)
				got.add(h, b)
				want.add(h, b)
				head = want.head
				if got.head != want.head || got.day != want.day || got.month != want.month {
					t.Fatalf("step %d (hour %d, %+v): head %d day %+v month %+v, want %d %+v %+v",
						step, h, b, got.head, got.day, got.month, want.head, want.day, want.month)
				}
				for _, ahead := range []int64{0, 1, 23, 24, 25, 700, ringHours - 1, ringHours} {
					gd, gm := got.at(head + ahead)
					wd, wm := want.at(head + ahead)
					if gd != wd || gm != wm {
						t.Fatalf("step %d, read %d hours ahead: day %+v month %+v, want %+v %+v", step, ahead, gd, gm, wd, wm)
					}
				}
				if step%37 == 0 || step == tt.steps-1 {
					for x := head - ringHours + 1; x <= head; x++ {
						if g, w := got.get(x), want.ring[slot(x)]; g != w {
							t.Fatalf("step %d: hour %d holds %+v, want %+v", step, x, g, w)
						}
					}
				}
			}
		})
	}
}

func statusOf(up bool) checks.Status {
	if up {
		return checks.StatusOK
	}
	return checks.StatusProblem
}

// TestRingFootprint checks what a monitor's ring holds after 31 days of
// hourly counts: the steady state of a server that has run for a month.
func TestRingFootprint(t *testing.T) {
	const days = 31
	tests := []struct {
		name string
		// hour returns the counts of hour i of days*24 (the last is now).
		hour func(i int) bucket
		want int // bytes
	}{
		{name: "10 s, never failed", want: 360, hour: func(i int) bucket {
			n := uint32(358 + i%5)
			return bucket{up: n, total: n}
		}},
		{name: "10 s, one failure 10 days ago", want: 720, hour: func(i int) bucket {
			n := uint32(358 + i%5)
			if i == days*24-240 {
				return bucket{up: n - 3, total: n}
			}
			return bucket{up: n, total: n}
		}},
		{name: "10 s, failures only before the 30 days", want: 360, hour: func(i int) bucket {
			n := uint32(358 + i%5)
			if i < 20 {
				return bucket{up: 0, total: n}
			}
			return bucket{up: n, total: n}
		}},
		{name: "1 s from 3 locations", want: 720, hour: func(i int) bucket {
			n := uint32(10_780 + i%40)
			return bucket{up: n, total: n}
		}},
		{name: "10 s with an hour the agent was mostly away", want: 1440, hour: func(i int) bucket {
			n := uint32(358 + i%5)
			if i == days*24-100 {
				n = 20
			}
			return bucket{up: n, total: n}
		}},
		{name: "paused for a week: hours without results", want: 360, hour: func(i int) bucket {
			if i > 200 && i < 200+7*24 {
				return bucket{}
			}
			return bucket{up: 120, total: 120}
		}},
		{name: "not checked for 30 days", want: 0, hour: func(i int) bucket {
			if i < 5 {
				return bucket{up: 120, total: 120}
			}
			return bucket{}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r hours
			var ref refHours
			for i := range days * 24 {
				r.add(500_000+int64(i), tt.hour(i))
				ref.add(500_000+int64(i), tt.hour(i))
			}
			if r.day != ref.day || r.month != ref.month {
				t.Fatalf("sums %+v %+v, want %+v %+v", r.day, r.month, ref.day, ref.month)
			}
			if got := r.bytes(); got != tt.want {
				t.Errorf("the ring holds %d bytes, want %d", got, tt.want)
			}
		})
	}
}
