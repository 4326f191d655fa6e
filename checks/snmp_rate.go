package checks

import (
	"fmt"
	"math"
	"time"
)

// snmpRestart says what sysUpTime tells about an agent restart between
// two runs.
type snmpRestart int

const (
	snmpRestartUnknown snmpRestart = iota // no sysUpTime in one of the runs
	snmpRestartNo
	snmpRestartYes
)

// snmpReading is one counter as read in one run.
type snmpReading struct {
	counter uint64
	bits    int // 32 or 64; 0 when the object gave no counter
}

// snmpRate is an object's rate in one run, or why there is none.
type snmpRate struct {
	perSecond float64
	ok        bool
	note      string // when !ok: "first reading, rate from the next run"
}

// snmpRateState is what a checker remembers between runs to turn
// counters into rates.
type snmpRateState struct {
	target    string
	at        time.Time // when the previous answer arrived
	uptime    uint32    // sysUpTime then, in hundredths of a second
	hasUptime bool
	readings  []snmpReading // by object index
}

// update stores this run's readings and returns each object's rate: the
// counter's growth since the previous run divided by the time between the
// two answers. uptime is sysUpTime.0 when the agent gave it.
func (st *snmpRateState) update(target string, at time.Time, uptime uint32, hasUptime bool, readings []snmpReading) []snmpRate {
	rates := make([]snmpRate, len(readings))
	fresh := st.target != target || len(st.readings) != len(readings) || st.at.IsZero()
	elapsed := at.Sub(st.at)
	restart := snmpRestartUnknown
	if !fresh && hasUptime && st.hasUptime {
		restart = snmpRestartNo
		if snmpAgentRestarted(st.uptime, uptime, elapsed) {
			restart = snmpRestartYes
		}
	}
	for i, cur := range readings {
		if cur.bits == 0 {
			continue
		}
		prev := snmpReading{}
		if !fresh {
			prev = st.readings[i]
		}
		rates[i] = snmpRateBetween(prev, cur, elapsed, restart)
	}
	st.target, st.at, st.uptime, st.hasUptime, st.readings = target, at, uptime, hasUptime, readings
	return rates
}

// snmpRateBetween computes one rate from two readings elapsed apart.
func snmpRateBetween(prev, cur snmpReading, elapsed time.Duration, restart snmpRestart) snmpRate {
	switch {
	case prev.bits == 0:
		return snmpRate{note: "first reading, rate from the next run"}
	case prev.bits != cur.bits:
		return snmpRate{note: fmt.Sprintf("the counter changed from Counter%d to Counter%d, rate from the next run", prev.bits, cur.bits)}
	case elapsed <= 0:
		return snmpRate{note: "no time passed since the previous reading, rate from the next run"}
	case restart == snmpRestartYes:
		return snmpRate{note: "the agent restarted (sysUpTime went back), rate from the next run"}
	}
	delta, ok := snmpCounterDelta(prev.counter, cur.counter, cur.bits, restart)
	if !ok {
		return snmpRate{note: fmt.Sprintf("the counter went back from %d to %d (reset or agent restart), rate from the next run", prev.counter, cur.counter)}
	}
	return snmpRate{perSecond: float64(delta) / elapsed.Seconds(), ok: true}
}

// snmpCounterDelta returns how much a counter of the given width grew from
// prev to cur, or false when it went back because it was reset.
//
// A Counter32 that went back wrapped past 2^32 unless the agent restarted.
// Without sysUpTime the two look alike, so a fall of more than half the
// range counts as a wrap and a smaller fall as a reset. A Counter64 never
// wraps in practice: going back is always a reset.
func snmpCounterDelta(prev, cur uint64, bits int, restart snmpRestart) (uint64, bool) {
	if restart == snmpRestartYes {
		return 0, false
	}
	if cur >= prev {
		return cur - prev, true
	}
	if bits != 32 || prev > math.MaxUint32 {
		return 0, false
	}
	wrapped := (1 << 32) - prev + cur
	if restart == snmpRestartNo || wrapped < 1<<31 {
		return wrapped, true
	}
	return 0, false
}

// snmpAgentRestarted tells from sysUpTime read twice, elapsed apart (in
// hundredths of a second), whether the agent restarted in between: it did
// when it has been up for less time than passed, or its uptime went back,
// unless the 32-bit uptime itself wrapped (after 497 days).
func snmpAgentRestarted(prev, cur uint32, elapsed time.Duration) bool {
	ticks := int64(elapsed / (10 * time.Millisecond))
	slack := int64(100) + ticks/20 // 1 s plus 5 % for clocks and network delays
	wrapped := int64(prev)+ticks >= 1<<32-slack &&
		abs64(int64(prev)+ticks-(1<<32)-int64(cur)) <= slack
	if wrapped {
		return false
	}
	return cur < prev || int64(cur)+slack < ticks
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
