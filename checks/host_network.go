package checks

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	psnet "github.com/shirou/gopsutil/v4/net"
)

func init() {
	Register(Type{
		Name:  "network",
		Title: "Network interface",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "rate_warning_bytes_per_second", Kind: "int", Default: "0", Help: "Warning when the interface receives or sends more bytes per second than this; 0 is off."},
			{Name: "rate_error_bytes_per_second", Kind: "int", Default: "0", Help: "Problem when the interface receives or sends more bytes per second than this; 0 is off."},
			{Name: "errors_warning_per_second", Kind: "float", Default: "0", Help: "Warning when errors plus dropped packets per second are above this; 0 is off."},
			{Name: "errors_error_per_second", Kind: "float", Default: "0", Help: "Problem when errors plus dropped packets per second are above this; 0 is off."},
		},
		TargetHelp:     `interface name, e.g. "eth0" or "lo" (on Windows e.g. "Ethernet")`,
		ValidateTarget: validateInterfaceName,
		New:            newNetworkChecker,
	})
}

type networkSettings struct {
	RateWarning   int64   `json:"rate_warning_bytes_per_second"`
	RateError     int64   `json:"rate_error_bytes_per_second"`
	ErrorsWarning float64 `json:"errors_warning_per_second"`
	ErrorsError   float64 `json:"errors_error_per_second"`
}

// netCounters is one reading of an interface's counters.
type netCounters struct {
	at             time.Time
	rx, tx, faults uint64 // bytes received and sent; errors plus drops
}

// networkChecker is stateful: each run reports the rates since the
// previous run.
type networkChecker struct {
	rate, faults hostLimit
	window       time.Duration
	read         func(ctx context.Context, name string) (netCounters, error)

	mu   sync.Mutex
	prev netCounters
	name string // the interface prev belongs to
}

var _ Checker = (*networkChecker)(nil)

// errNoInterface is wrapped by readInterface when the name is unknown.
var errNoInterface = errors.New("no such network interface")

func validateInterfaceName(target string) error {
	if target == "" || len(target) > 256 || strings.IndexFunc(target, unicode.IsControl) >= 0 {
		return errors.New(`must be an interface name such as "eth0" or "Ethernet"`)
	}
	return nil
}

func newNetworkChecker(raw json.RawMessage) (Checker, error) {
	var s networkSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	rate, err := hostRateLimit(float64(s.RateWarning), float64(s.RateError), "rate_warning_bytes_per_second", "rate_error_bytes_per_second", hostRate)
	if err != nil {
		return nil, err
	}
	faults, err := hostRateLimit(s.ErrorsWarning, s.ErrorsError, "errors_warning_per_second", "errors_error_per_second", func(v float64) string { return hostNumber(v) + "/s" })
	if err != nil {
		return nil, err
	}
	return &networkChecker{rate: rate, faults: faults, window: hostSampleWindow, read: readInterface}, nil
}

// readInterface reads the counters of the interface called name.
func readInterface(ctx context.Context, name string) (netCounters, error) {
	all, err := psnet.IOCountersWithContext(ctx, true)
	if err != nil {
		return netCounters{}, err
	}
	for _, c := range all {
		if c.Name == name {
			return netCounters{at: time.Now(), rx: c.BytesRecv, tx: c.BytesSent,
				faults: c.Errin + c.Errout + c.Dropin + c.Dropout}, nil
		}
	}
	names := make([]string, 0, len(all))
	for _, c := range all {
		names = append(names, c.Name)
	}
	return netCounters{}, &netMissingError{have: names}
}

// netMissingError names the interfaces there are.
type netMissingError struct{ have []string }

func (e *netMissingError) Error() string {
	return errNoInterface.Error() + " (there are: " + strings.Join(e.have, ", ") + ")"
}

func (e *netMissingError) Unwrap() error { return errNoInterface }

// Check reads the counters and reports the rates since the previous run,
// sampling briefly first when there is none.
func (c *networkChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, err := c.read(ctx, target)
	if err != nil {
		c.name = ""
		return c.readProblem(ctx, start, target, err)
	}
	if c.name != target || !cur.at.After(c.prev.at) {
		if err := hostSampleWait(ctx, c.window); err != nil {
			return hostReadProblem(ctx, start, "sample "+target, err)
		}
		c.prev, c.name = cur, target
		if cur, err = c.read(ctx, target); err != nil {
			c.name = ""
			return c.readProblem(ctx, start, target, err)
		}
	}
	r := netRatesBetween(c.prev, cur)
	c.prev = cur
	return c.judge(target, r).result(start, map[string]float64{
		"rx_bytes_per_second": math.Round(r.rx),
		"tx_bytes_per_second": math.Round(r.tx),
		"errors_per_second":   roundHundredths(r.faults),
	})
}

func (c *networkChecker) readProblem(ctx context.Context, start time.Time, target string, err error) Result {
	var missing *netMissingError
	if errors.As(err, &missing) {
		return problem(time.Since(start), "no network interface "+strconv.Quote(target)+" (there are: "+strings.Join(missing.have, ", ")+")", nil)
	}
	return hostReadProblem(ctx, start, "read counters of "+target, err)
}

// netRates are per-second rates between two readings.
type netRates struct{ rx, tx, faults float64 }

// netRatesBetween divides the counters' growth by the time between the
// readings (which must be later than prev).
func netRatesBetween(prev, cur netCounters) netRates {
	secs := cur.at.Sub(prev.at).Seconds()
	if secs <= 0 {
		return netRates{}
	}
	return netRates{
		rx:     float64(counterDelta(prev.rx, cur.rx)) / secs,
		tx:     float64(counterDelta(prev.tx, cur.tx)) / secs,
		faults: float64(counterDelta(prev.faults, cur.faults)) / secs,
	}
}

// counterDelta is how much a counter grew. A counter that went backwards
// was reset (interface recreated, driver reloaded) or wrapped; counting
// from zero undercounts one interval at worst, where guessing a wrap
// would invent a spike.
func counterDelta(prev, cur uint64) uint64 {
	if cur < prev {
		return cur
	}
	return cur - prev
}

// judge builds the message and status for r on interface name.
func (c *networkChecker) judge(name string, r netRates) *hostVerdict {
	var v hostVerdict
	st, note := c.rate.judge(math.Round(max(r.rx, r.tx)))
	v.add(name+" rx "+hostRate(r.rx)+" tx "+hostRate(r.tx), st, note)
	st, note = c.faults.judge(roundHundredths(r.faults))
	if r.faults > 0 || st != StatusOK {
		v.add(hostNumber(r.faults)+" errors/s", st, note)
	}
	return &v
}
