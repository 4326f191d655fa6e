package live

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// BenchmarkFootprint30Days reports the heap the cache holds per monitor
// once the server has run for 31 days: 10,000 monitors checked every 10 s
// from one location (355–365 results an hour), of which 2% failed in some
// hour of the last 30 days and 1% had an hour with almost no results (an
// agent away). Run it with -benchtime 1x; it is a measurement of memory,
// not of time.
func BenchmarkFootprint30Days(b *testing.B) {
	const monitors, days = 10_000, 31
	for b.Loop() {
		now := t0.Add(days * 24 * time.Hour)
		c := newAt(&now)
		before := heapInUse()
		first := hourOf(t0)
		for i := range monitors {
			id := fmt.Sprint("m", i)
			e := c.entry(id)
			for h := range int64(days * 24) {
				n := uint32(355 + (i+int(h))%11)
				bk := bucket{up: n, total: n}
				switch {
				case i%50 == 0 && h == days*24-100:
					bk.up -= 40
				case i%100 == 1 && h == days*24-200:
					bk = bucket{up: 12, total: 12}
				}
				e.hours.add(first+h, bk)
			}
			// A full sparkline and the newest result, as a real monitor has.
			var batch []store.MonitorResult
			for j := range SparkLen {
				at := now.Add(-time.Duration(SparkLen-j) * 10 * time.Second)
				r := res(id, "agent-0001", at, checks.StatusOK, 12.5)
				r.Result.Values = map[string]float64{"used_percent": 41.5}
				batch = append(batch, r)
			}
			c.Observe(batch)
		}
		after := heapInUse()
		var ring int
		for _, e := range c.entries {
			ring += e.hours.bytes()
		}
		b.ReportMetric(float64(after-before)/monitors, "heap-bytes/monitor")
		b.ReportMetric(float64(ring)/monitors, "ring-bytes/monitor")
		runtime.KeepAlive(c)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
