package checks

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shirou/gopsutil/v4/mem"
)

func init() {
	Register(Type{
		Name:  "memory",
		Title: "Memory usage",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "warning_percent", Kind: "int", Default: "90", Help: "Warning when more than this percentage of memory is in use (not available to programs)."},
			{Name: "error_percent", Kind: "int", Default: "98", Help: "Problem when more than this percentage of memory is in use (not available to programs)."},
		},
		TargetHelp:     "ignored: the check measures the host the agent runs on",
		ValidateTarget: anyTarget,
		New:            newMemoryChecker,
	})
	Register(Type{
		Name:  "swap",
		Title: "Swap usage",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "warning_percent", Kind: "int", Default: "80", Help: "Warning when more than this percentage of swap is in use."},
			{Name: "error_percent", Kind: "int", Default: "95", Help: "Problem when more than this percentage of swap is in use."},
		},
		TargetHelp:     "ignored: the check measures the host the agent runs on",
		ValidateTarget: anyTarget,
		New:            newSwapChecker,
	})
}

// hostPercentSettings are the settings of types with percent thresholds
// only.
type hostPercentSettings struct {
	WarningPercent int `json:"warning_percent"`
	ErrorPercent   int `json:"error_percent"`
}

// decodePercentLimit decodes settings with only percent thresholds,
// defaulting to warn and err.
func decodePercentLimit(raw json.RawMessage, warn, err int) (hostLimit, error) {
	s := hostPercentSettings{WarningPercent: warn, ErrorPercent: err}
	if err := decodeSettings(raw, &s); err != nil {
		return hostLimit{}, err
	}
	return hostPercentLimit(s.WarningPercent, s.ErrorPercent, "warning_percent", "error_percent")
}

// memoryUsage is what the memory check reads: sizes in bytes.
type memoryUsage struct {
	total, available uint64
}

type memoryChecker struct {
	limit hostLimit
	read  func(ctx context.Context) (memoryUsage, error)
}

var _ Checker = (*memoryChecker)(nil)

func newMemoryChecker(raw json.RawMessage) (Checker, error) {
	l, err := decodePercentLimit(raw, 90, 98)
	if err != nil {
		return nil, err
	}
	return &memoryChecker{limit: l, read: readMemory}, nil
}

// readMemoryGopsutil reads memory usage through gopsutil: on systems other
// than Linux, and on Linux kernels too old to report MemAvailable.
func readMemoryGopsutil(ctx context.Context) (memoryUsage, error) {
	m, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return memoryUsage{}, err
	}
	return memoryUsage{total: m.Total, available: min(m.Available, m.Total)}, nil
}

// Check reports the share of memory not available to programs: the page
// cache the kernel can drop counts as available.
func (c *memoryChecker) Check(ctx context.Context, _ string) Result {
	start := time.Now()
	m, err := c.read(ctx)
	if err != nil {
		return hostReadProblem(ctx, start, "read memory usage", err)
	}
	if m.total == 0 {
		return problem(time.Since(start), "read memory usage: the system reported no memory", nil)
	}
	used := float64(m.total-m.available) / float64(m.total) * 100
	var v hostVerdict
	st, note := c.limit.judge(roundPercent(used))
	v.add("memory "+hostPct(used)+" used", st, note)
	v.add(hostBytes(float64(m.available))+" available", StatusOK, "")
	return v.result(start, map[string]float64{
		"used_percent":    roundPercent(used),
		"available_bytes": roundMiB(m.available),
		"total_bytes":     roundMiB(m.total),
	})
}

// swapUsage is what the swap check reads: sizes in bytes.
type swapUsage struct {
	total, used uint64
}

type swapChecker struct {
	limit hostLimit
	read  func(ctx context.Context) (swapUsage, error)
}

var _ Checker = (*swapChecker)(nil)

func newSwapChecker(raw json.RawMessage) (Checker, error) {
	l, err := decodePercentLimit(raw, 80, 95)
	if err != nil {
		return nil, err
	}
	return &swapChecker{limit: l, read: readSwap}, nil
}

// Check reports the share of swap in use; a host without swap is ok.
func (c *swapChecker) Check(ctx context.Context, _ string) Result {
	start := time.Now()
	s, err := c.read(ctx)
	if err != nil {
		return hostReadProblem(ctx, start, "read swap usage", err)
	}
	var v hostVerdict
	used := 0.0
	if s.total == 0 {
		v.add("no swap", StatusOK, "")
	} else {
		used = float64(s.used) / float64(s.total) * 100
		st, note := c.limit.judge(roundPercent(used))
		v.add("swap "+hostPct(used)+" used", st, note)
		v.add(hostBytes(float64(s.used))+" of "+hostBytes(float64(s.total)), StatusOK, "")
	}
	return v.result(start, map[string]float64{
		"used_percent": roundPercent(used),
		"used_bytes":   roundMiB(s.used),
		"total_bytes":  roundMiB(s.total),
	})
}
