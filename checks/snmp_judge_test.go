package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// TestSNMPJudge judges one object's answer without a network: bounds are
// inclusive, the error range wins over the warning range, rates show
// their note until they have a value, and the response time counts.
func TestSNMPJudge(t *testing.T) {
	gauge := func(v uint32) gosnmp.SnmpPDU { return gosnmp.SnmpPDU{Name: ".1.3.1", Type: gosnmp.Gauge32, Value: v} }
	counter := gosnmp.SnmpPDU{Name: ".1.3.1", Type: gosnmp.Counter32, Value: uint(5)}
	bounds := `"warning_min":10,"warning_max":20,"error_min":5,"error_max":30`
	tests := []struct {
		name    string
		object  string
		extra   string
		pdu     gosnmp.SnmpPDU
		rate    snmpRate
		took    time.Duration
		status  Status
		message string
		value   float64 // -1: no value
	}{
		{"inside", bounds, "", gauge(15), snmpRate{}, 0, StatusOK, "a 15 in ", 15},
		{"on warning_max", bounds, "", gauge(20), snmpRate{}, 0, StatusOK, "a 20 in ", 20},
		{"above warning_max", bounds, "", gauge(21), snmpRate{}, 0, StatusWarning, "a 21 > 20 (warning_max)", 21},
		{"on error_max", bounds, "", gauge(30), snmpRate{}, 0, StatusWarning, "a 30 > 20 (warning_max)", 30},
		{"above error_max", bounds, "", gauge(31), snmpRate{}, 0, StatusProblem, "a 31 > 30 (error_max)", 31},
		{"below warning_min", bounds, "", gauge(9), snmpRate{}, 0, StatusWarning, "a 9 < 10 (warning_min)", 9},
		{"below error_min", bounds, "", gauge(4), snmpRate{}, 0, StatusProblem, "a 4 < 5 (error_min)", 4},
		{"time ticks in seconds", `"error_min":60`, "", gosnmp.SnmpPDU{Name: ".1.3.1", Type: gosnmp.TimeTicks, Value: uint32(5000)}, snmpRate{}, 0, StatusProblem, "a 50 s in 1.0 ms: a 50 < 60 (error_min)", 50},
		{"rate pending", `"rate":true,"error_max":1`, "", counter, snmpRate{note: "first reading, rate from the next run"}, 0, StatusOK, "a (first reading, rate from the next run) in ", -1},
		{"rate", `"rate":true,"error_max":1`, "", counter, snmpRate{perSecond: 2.345, ok: true}, 0, StatusProblem, "a 2.35/s in 1.0 ms: a 2.35/s > 1 (error_max)", 2.35},
		{"slow", `"error_max":100`, `,"response_time_warning_ms":1,"response_time_error_ms":2`, gauge(1), snmpRate{}, 5 * time.Millisecond, StatusProblem, "a 1 in 5.0 ms: slow: 5.0 ms > 2 ms", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := `{"community":"c","oids":[{"oid":"1.3.1","name":"a",` + tt.object + `}]` + tt.extra + `}`
			checker, err := New("snmp", "192.0.2.1", []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			took := tt.took
			if took == 0 {
				took = time.Millisecond
			}
			r := checker.(*snmpChecker).judge([]gosnmp.SnmpPDU{tt.pdu}, []snmpRate{tt.rate}, took, map[string]float64{})
			if r.Status != tt.status || !strings.Contains(r.Message, tt.message) {
				t.Errorf("got %s %q, want %s with %q", r.Status, r.Message, tt.status, tt.message)
			}
			v, ok := r.Values["a"]
			if (tt.value < 0) == ok || (ok && v != tt.value) {
				t.Errorf("value %v (%v), want %v", v, ok, tt.value)
			}
		})
	}
}
