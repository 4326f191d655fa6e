package checks

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
)

func init() {
	Register(Type{
		Name:  "cpu",
		Title: "CPU usage",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "warning_percent", Kind: "int", Default: "90", Help: "Warning when the host's CPUs are busier than this percentage on average."},
			{Name: "error_percent", Kind: "int", Default: "98", Help: "Problem when the host's CPUs are busier than this percentage on average."},
			{Name: "per_core", Kind: "bool", Default: "false", Help: "Also report each core's busy percentage and the busiest core's."},
		},
		TargetHelp:     "ignored: the check measures the host the agent runs on",
		ValidateTarget: anyTarget,
		New:            newCPUChecker,
	})
}

type cpuSettings struct {
	WarningPercent int  `json:"warning_percent"`
	ErrorPercent   int  `json:"error_percent"`
	PerCore        bool `json:"per_core"`
}

// cpuChecker is stateful: each run reports the CPU time spent since the
// previous run, so a check every minute sees the whole minute, not a
// short sample of it.
type cpuChecker struct {
	perCore bool
	limit   hostLimit
	window  time.Duration
	read    func(ctx context.Context, perCore bool) ([]cpu.TimesStat, error)

	mu   sync.Mutex
	prev []cpu.TimesStat // the previous run's times: the total, or one per core
}

var _ Checker = (*cpuChecker)(nil)

func newCPUChecker(raw json.RawMessage) (Checker, error) {
	s := cpuSettings{WarningPercent: 90, ErrorPercent: 98}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	l, err := hostPercentLimit(s.WarningPercent, s.ErrorPercent, "warning_percent", "error_percent")
	if err != nil {
		return nil, err
	}
	return &cpuChecker{perCore: s.PerCore, limit: l, window: hostSampleWindow, read: cpu.TimesWithContext}, nil
}

// Check compares the CPU times with the previous run's; on the first run
// (or after the counters went backwards) it takes a short sample first.
func (c *cpuChecker) Check(ctx context.Context, _ string) Result {
	start := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.read(ctx, c.perCore)
	if err != nil {
		return hostReadProblem(ctx, start, "read cpu times", err)
	}
	if len(cur) == 0 {
		return problem(time.Since(start), "read cpu times: the system reported none", nil)
	}
	if !cpuComparable(c.prev, cur) {
		if err := hostSampleWait(ctx, c.window); err != nil {
			return hostReadProblem(ctx, start, "sample cpu times", err)
		}
		c.prev = cur
		if cur, err = c.read(ctx, c.perCore); err != nil {
			return hostReadProblem(ctx, start, "read cpu times", err)
		}
	}
	u := cpuUsageBetween(c.prev, cur, c.perCore)
	c.prev = cur
	return c.judge(u).result(start, u.values(c.perCore))
}

// judge builds the message and status for u.
func (c *cpuChecker) judge(u cpuUsage) *hostVerdict {
	var v hostVerdict
	st, note := c.limit.judge(roundPercent(u.busy))
	v.add("cpu "+hostPct(u.busy), st, note)
	if c.perCore && len(u.cores) > 1 {
		// One saturated core can stall a single-threaded service while
		// the average looks calm.
		v.add("busiest core "+hostPct(u.maxCore()), StatusOK, "")
	}
	return &v
}

// cpuComparable reports whether cur can be compared with prev: same
// number of entries and total time moved forward.
func cpuComparable(prev, cur []cpu.TimesStat) bool {
	if len(prev) == 0 || len(prev) != len(cur) {
		return false
	}
	total, _ := cpuTotals(prev)
	now, _ := cpuTotals(cur)
	return now > total
}

// cpuUsage is the share of CPU time, in percent, spent busy between two
// readings, overall and (when read per core) per core.
type cpuUsage struct {
	busy, user, system, iowait, steal float64
	cores                             []float64
}

// cpuUsageBetween computes the usage between two comparable readings;
// perCore says the entries are cores, to be reported one by one.
func cpuUsageBetween(prev, cur []cpu.TimesStat, perCore bool) cpuUsage {
	var u cpuUsage
	var d cpu.TimesStat
	for i := range cur {
		di := cpuDelta(prev[i], cur[i])
		d.User += di.User + di.Nice
		d.System += di.System + di.Irq + di.Softirq
		d.Iowait += di.Iowait
		d.Steal += di.Steal
		d.Idle += di.Idle
		if perCore {
			tot, busy := cpuBusy(di)
			u.cores = append(u.cores, cpuShare(busy, tot))
		}
	}
	tot := d.User + d.System + d.Iowait + d.Steal + d.Idle
	u.busy = cpuShare(tot-d.Idle-d.Iowait, tot)
	u.user, u.system = cpuShare(d.User, tot), cpuShare(d.System, tot)
	u.iowait, u.steal = cpuShare(d.Iowait, tot), cpuShare(d.Steal, tot)
	return u
}

// cpuDelta subtracts two readings of one CPU; a counter that went
// backwards (a reset) counts as zero.
func cpuDelta(a, b cpu.TimesStat) cpu.TimesStat {
	sub := func(x, y float64) float64 { return max(y-x, 0) }
	return cpu.TimesStat{
		User: sub(a.User, b.User), Nice: sub(a.Nice, b.Nice), System: sub(a.System, b.System),
		Idle: sub(a.Idle, b.Idle), Iowait: sub(a.Iowait, b.Iowait), Irq: sub(a.Irq, b.Irq),
		Softirq: sub(a.Softirq, b.Softirq), Steal: sub(a.Steal, b.Steal),
	}
}

// cpuBusy returns the total and busy time of t. Guest time is already
// part of user and nice time on Linux, so it is not added again.
func cpuBusy(t cpu.TimesStat) (total, busy float64) {
	total = t.User + t.Nice + t.System + t.Idle + t.Iowait + t.Irq + t.Softirq + t.Steal
	return total, total - t.Idle - t.Iowait
}

// cpuTotals sums the total and busy time over all entries of r.
func cpuTotals(r []cpu.TimesStat) (total, busy float64) {
	for _, t := range r {
		tt, b := cpuBusy(t)
		total, busy = total+tt, busy+b
	}
	return total, busy
}

// cpuShare returns part as a percentage of whole, within 0 to 100.
func cpuShare(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return min(max(part/whole*100, 0), 100)
}

func (u cpuUsage) maxCore() float64 {
	m := 0.0
	for _, p := range u.cores {
		m = max(m, p)
	}
	return m
}

// values returns the rounded values of u; the per-core ones only when
// asked for, since a large host has many.
func (u cpuUsage) values(perCore bool) map[string]float64 {
	v := make(map[string]float64, 6+len(u.cores)+1)
	v["percent"] = roundPercent(u.busy)
	v["user_percent"] = roundPercent(u.user)
	v["system_percent"] = roundPercent(u.system)
	v["iowait_percent"] = roundPercent(u.iowait)
	v["steal_percent"] = roundPercent(u.steal)
	if perCore {
		v["cores"] = float64(len(u.cores))
		v["max_core_percent"] = roundPercent(u.maxCore())
		for i, p := range u.cores {
			v["core"+strconv.Itoa(i)+"_percent"] = roundPercent(p)
		}
	}
	return v
}
