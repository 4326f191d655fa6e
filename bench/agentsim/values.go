package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// simCheck stands in for one host check on a simulated agent: it makes
// results shaped like the real check's (the same value names, a message
// like the real one) from a slow random walk, so the store sees the
// gently varying series a real host produces, not constants.
type simCheck struct {
	id       string
	typ      string
	interval time.Duration
	next     time.Time
	level    float64 // the walking quantity: a percentage, a load, a rate
}

const (
	gib = 1 << 30
	mib = 1 << 20
)

// newSimCheck starts a check of type typ at a random level, its first run
// jittered over one interval as the agent's scheduler spreads first runs.
func newSimCheck(id, typ string, interval time.Duration, now time.Time, rng *rand.Rand) *simCheck {
	return &simCheck{
		id: id, typ: typ, interval: interval,
		next:  now.Add(time.Duration(rng.Int64N(int64(interval)))),
		level: 10 + 50*rng.Float64(),
	}
}

// run makes the result of a run at now and schedules the next run one
// interval after this one (start to start, as the scheduler keeps it).
func (c *simCheck) run(now time.Time, rng *rand.Rand) checks.Result {
	c.level = math.Min(95, math.Max(0.5, c.level+rng.NormFloat64()))
	c.next = c.next.Add(c.interval)
	if c.next.Before(now) {
		c.next = now.Add(c.interval)
	}
	r := checks.Result{
		At:        now,
		Status:    checks.StatusOK,
		LatencyMS: round(0.05+rng.ExpFloat64()*0.3, 1000),
	}
	if c.level > 90 {
		r.Status = checks.StatusWarning
	}
	pct := round(c.level, 10)
	switch c.typ {
	case "cpu":
		r.Message = fmt.Sprintf("CPU %g%% used", pct)
		r.Values = map[string]float64{"percent": pct}
	case "memory":
		avail := mib * math.Round(16*gib*(1-pct/100)/mib)
		r.Message = fmt.Sprintf("memory %g%% used, %.1f GiB available", pct, avail/gib)
		r.Values = map[string]float64{"used_percent": pct, "available_bytes": avail, "total_bytes": 16 * gib}
	case "swap":
		used := mib * math.Round(4*gib*pct/100/mib)
		r.Message = fmt.Sprintf("swap %g%% used, %.1f GiB of 4 GiB", pct, used/gib)
		r.Values = map[string]float64{"used_percent": pct, "used_bytes": used, "total_bytes": 4 * gib}
	case "disk":
		free := mib * math.Round(200*gib*(1-pct/100)/mib)
		r.Message = fmt.Sprintf("/ %g%% used, %.1f GiB free", pct, free/gib)
		r.Values = map[string]float64{"used_percent": pct, "free_bytes": free, "total_bytes": 200 * gib}
	case "load":
		l := round(c.level/25, 100)
		r.Message = fmt.Sprintf("load %g, %g per core", l, round(l/4, 100))
		r.Values = map[string]float64{"load1": l, "load5": l, "load15": l, "load1_per_core": round(l/4, 100), "cores": 4}
	case "network":
		rx := math.Round(c.level * 1e4)
		r.Message = fmt.Sprintf("lo: %g B/s in, %g B/s out", rx, rx)
		r.Values = map[string]float64{"rx_bytes_per_second": rx, "tx_bytes_per_second": rx, "errors_per_second": 0}
	default: // process
		r.Message = "1 process matches"
		r.Values = map[string]float64{"count": 1}
	}
	return r
}

// round rounds x to 1/per.
func round(x, per float64) float64 { return math.Round(x*per) / per }
