package checks

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSNMPCounterDelta(t *testing.T) {
	const max32 = math.MaxUint32
	tests := []struct {
		name      string
		prev, cur uint64
		bits      int
		restart   snmpRestart
		want      uint64
		ok        bool
	}{
		{"grew", 100, 250, 32, snmpRestartNo, 150, true},
		{"same", 7, 7, 32, snmpRestartNo, 0, true},
		{"counter32 wrapped", max32 - 9, 20, 32, snmpRestartNo, 30, true},
		{"counter32 wrapped from the top", max32, 0, 32, snmpRestartNo, 1, true},
		{"counter32 wrapped, large step", 1000, 999, 32, snmpRestartNo, max32, true},
		{"counter32 fell, agent restarted", max32 - 9, 20, 32, snmpRestartYes, 0, false},
		{"grew, but agent restarted", 100, 250, 32, snmpRestartYes, 0, false},
		{"no uptime: big fall is a wrap", max32 - 9, 20, 32, snmpRestartUnknown, 30, true},
		{"no uptime: small fall is a reset", 5000, 20, 32, snmpRestartUnknown, 0, false},
		{"counter64 grew", 1 << 40, 1<<40 + 5, 64, snmpRestartNo, 5, true},
		{"counter64 near the top", math.MaxUint64 - 1, math.MaxUint64, 64, snmpRestartNo, 1, true},
		{"counter64 fell: a reset", 1 << 40, 5, 64, snmpRestartNo, 0, false},
		{"counter64 fell without uptime", math.MaxUint64, 5, 64, snmpRestartUnknown, 0, false},
		{"counter32 above 32 bits is refused", 1 << 33, 5, 32, snmpRestartNo, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := snmpCounterDelta(tt.prev, tt.cur, tt.bits, tt.restart)
			if got != tt.want || ok != tt.ok {
				t.Errorf("snmpCounterDelta(%d, %d, %d) = %d, %v; want %d, %v", tt.prev, tt.cur, tt.bits, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSNMPAgentRestarted(t *testing.T) {
	const max32 = math.MaxUint32
	tests := []struct {
		name      string
		prev, cur uint32
		elapsed   time.Duration
		want      bool
	}{
		{"ran on", 100_000, 106_000, time.Minute, false},
		{"ran on, late answer", 100_000, 106_050, time.Minute, false},
		{"ran on, early answer", 100_000, 105_950, time.Minute, false},
		{"restarted, uptime went back", 100_000, 500, time.Minute, true},
		{"restarted, up for less than the interval", 100, 3_000, time.Minute, true},
		{"uptime wrapped after 497 days", max32 - 1_000, 5_000, time.Minute, false},
		{"uptime wrapped, then restarted", max32 - 1_000, 100, time.Hour, true},
		{"first seconds of the agent", 0, 1_000, 10 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := snmpAgentRestarted(tt.prev, tt.cur, tt.elapsed); got != tt.want {
				t.Errorf("snmpAgentRestarted(%d, %d, %s) = %v, want %v", tt.prev, tt.cur, tt.elapsed, got, tt.want)
			}
		})
	}
}

// TestSNMPRateState walks one checker's state through runs: a first
// reading, a rate, a wrap, a restart, a change of target.
func TestSNMPRateState(t *testing.T) {
	var st snmpRateState
	t0 := time.Unix(1_000_000, 0)
	c32 := func(v uint64) []snmpReading { return []snmpReading{{counter: v, bits: 32}, {}} }
	steps := []struct {
		name     string
		target   string
		after    time.Duration
		uptime   uint32
		readings []snmpReading
		rate     float64 // want; -1 for no rate
		note     string
	}{
		{"first reading", "a", 0, 100_000, c32(math.MaxUint32 - 9_999), -1, "first reading"},
		{"rate", "a", 10 * time.Second, 101_000, c32(math.MaxUint32 - 4_999), 500, ""},
		{"wrap", "a", 10 * time.Second, 102_000, c32(4), 500.4, ""},
		{"restart", "a", 10 * time.Second, 200, c32(10_000), -1, "the agent restarted"},
		{"after the restart", "a", 10 * time.Second, 1_200, c32(12_000), 200, ""},
		{"reset without restart", "a", 10 * time.Second, 2_200, c32(1_000), 0, ""}, // a Counter32 fall is a wrap when the agent ran on
		{"other target", "b", 10 * time.Second, 3_200, c32(5_000), -1, "first reading"},
		{"became a Counter64", "b", 10 * time.Second, 4_200, []snmpReading{{counter: 6_000, bits: 64}, {}}, -1, "changed from Counter32 to Counter64"},
		{"no time passed", "b", 0, 4_200, []snmpReading{{counter: 6_000, bits: 64}, {}}, -1, "no time passed"},
	}
	at := t0
	for _, s := range steps {
		at = at.Add(s.after)
		rates := st.update(s.target, at, s.uptime, true, s.readings)
		r := rates[0]
		if rates[1].ok || rates[1].note != "" {
			t.Errorf("%s: an object without a counter got a rate: %+v", s.name, rates[1])
		}
		switch {
		case s.rate < 0 && (r.ok || !strings.Contains(r.note, s.note)):
			t.Errorf("%s: got %+v, want no rate and a note with %q", s.name, r, s.note)
		case s.name == "reset without restart":
			// 1,000 after 12,000 while sysUpTime ran on: a wrap.
			if want := float64(uint64(1)<<32-12_000+1_000) / 10; !r.ok || r.perSecond != want {
				t.Errorf("%s: got %+v, want a wrap rate of %v", s.name, r, want)
			}
		case s.rate >= 0 && (!r.ok || r.perSecond != s.rate):
			t.Errorf("%s: got %+v, want %v/s", s.name, r, s.rate)
		}
	}
}
