package checks

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// OIDs every net-snmp agent answers without MIB files.
const (
	oidSysDescr    = "1.3.6.1.2.1.1.1.0"
	oidSysUpTime   = "1.3.6.1.2.1.1.3.0"
	oidProcesses   = "1.3.6.1.2.1.25.1.6.0" // hrSystemProcesses, a Gauge32
	oidLoInOctets  = "1.3.6.1.2.1.2.2.1.10.1"
	oidNoSuchObj   = "1.3.6.1.2.1.1.99.0"
	oidNoSuchInst  = "1.3.6.1.2.1.1.3.1"
	snmpTestAuth   = "authpass123"
	snmpTestPriv   = "privpass123"
	snmpRunTimeout = 10 * time.Second
)

// snmpTestUsers are the SNMPv3 users the test agent knows.
var snmpTestUsers = []testenv.SnmpUser{
	{Name: "noAuth", Level: "noauth"},
	{Name: "authOnly", Level: "auth", AuthProto: "SHA", AuthPass: snmpTestAuth},
	{Name: "authPriv", Level: "priv", AuthProto: "SHA", AuthPass: snmpTestAuth, PrivProto: "AES", PrivPass: snmpTestPriv},
	{Name: "strong", Level: "priv", AuthProto: "SHA-512", AuthPass: snmpTestAuth, PrivProto: "AES-256", PrivPass: snmpTestPriv},
	{Name: "legacy", Level: "priv", AuthProto: "MD5", AuthPass: snmpTestAuth, PrivProto: "DES", PrivPass: snmpTestPriv},
}

// runSNMP runs c once against target within timeout.
func runSNMP(t *testing.T, c Checker, target string, timeout time.Duration) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := c.Check(ctx, target)
	t.Logf("%s: %s %v", r.Status, r.Message, r.Values)
	return r
}

// newSNMP builds an snmp checker from settings, failing the test when
// they are refused.
func newSNMP(t *testing.T, target string, settings map[string]any) Checker {
	t.Helper()
	raw := snmpJSON(t, settings)
	c, err := New("snmp", target, raw)
	if err != nil {
		t.Fatalf("settings %s: %v", raw, err)
	}
	return c
}

// snmpJSON marshals v, failing the test on error.
func snmpJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// snmpV2c and snmpV3 build settings reading oids; snmpObj builds one
// entry of oids from its OID, name and further key/value pairs.
func snmpV2c(oids ...map[string]any) map[string]any {
	return map[string]any{"community": testenv.SnmpdCommunity, "oids": oids}
}

func snmpV3(user, level string, extra map[string]any, oids ...map[string]any) map[string]any {
	s := map[string]any{"version": "3", "username": user, "security_level": level, "oids": oids,
		"auth_password": snmpTestAuth, "priv_password": snmpTestPriv}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

func snmpObj(oid, name string, kv ...any) map[string]any {
	m := map[string]any{"oid": oid, "name": name}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// TestSNMPAgainstSnmpd runs the check against a real net-snmp agent on
// loopback: every version and security level, and each way a run fails.
func TestSNMPAgainstSnmpd(t *testing.T) {
	srv := testenv.StartSnmpd(t, snmpTestUsers...)
	descr := snmpObj(oidSysDescr, "sys_descr", "contains", "Linux")
	uptime := snmpObj(oidSysUpTime, "uptime", "error_min", 0)
	procs := snmpObj(oidProcesses, "processes", "error_min", 1)

	tests := []struct {
		name     string
		settings map[string]any
		timeout  time.Duration // default snmpRunTimeout
		status   Status
		message  []string // substrings of the message
		values   []string // keys that must be among the values
	}{
		{"v2c", snmpV2c(descr, uptime, procs), 0, StatusOK,
			[]string{`sys_descr "Linux`, "uptime ", " s,", "processes "}, []string{"response_ms", "uptime", "processes"}},
		{"v1", snmpMerge(snmpV2c(descr, uptime, procs), "version", "1"), 0, StatusOK,
			[]string{`sys_descr "Linux`}, []string{"response_ms", "uptime", "processes"}},
		{"v3 noAuthNoPriv", snmpV3("noAuth", "noAuthNoPriv", nil, descr, uptime), 0, StatusOK,
			[]string{`sys_descr "Linux`}, []string{"uptime"}},
		{"v3 authNoPriv", snmpV3("authOnly", "authNoPriv", nil, descr, uptime), 0, StatusOK,
			[]string{`sys_descr "Linux`}, []string{"uptime"}},
		{"v3 authPriv", snmpV3("authPriv", "authPriv", nil, descr, uptime, procs), 0, StatusOK,
			[]string{`sys_descr "Linux`}, []string{"uptime", "processes"}},
		{"v3 SHA-512 AES-256", snmpV3("strong", "authPriv", map[string]any{"auth_protocol": "SHA-512", "priv_protocol": "AES-256"}, descr), 0, StatusOK,
			[]string{`sys_descr "Linux`}, nil},
		{"v3 MD5 DES", snmpV3("legacy", "authPriv", map[string]any{"auth_protocol": "MD5", "priv_protocol": "DES"}, descr), 0, StatusOK,
			[]string{`sys_descr "Linux`}, nil},

		{"wrong community", snmpMerge(snmpV2c(descr), "community", "private", "retries", 0), time.Second, StatusProblem,
			[]string{"no answer from " + srv.Addr + " in ", "wrong community or not reachable"}, nil},
		{"v3 wrong auth password", snmpV3("authOnly", "authNoPriv", map[string]any{"auth_password": "wrongpass123"}, descr), 0, StatusProblem,
			[]string{`SNMPv3 authentication failed for user "authOnly": wrong auth_password or auth_protocol`}, nil},
		{"v3 wrong auth protocol", snmpV3("authOnly", "authNoPriv", map[string]any{"auth_protocol": "MD5"}, descr), 0, StatusProblem,
			[]string{"SNMPv3 authentication failed"}, nil},
		{"v3 unknown user", snmpV3("mallory", "authPriv", nil, descr), 0, StatusProblem,
			[]string{"SNMPv3 authentication failed", `no user "mallory"`}, nil},
		{"v3 level above the user's", snmpV3("authOnly", "authPriv", nil, descr), 0, StatusProblem,
			[]string{"SNMPv3 authentication failed", "security level authPriv"}, nil},
		{"v3 wrong priv password", snmpMerge(snmpV3("authPriv", "authPriv", map[string]any{"priv_password": "wrongpriv123"}, descr), "retries", 0), time.Second, StatusProblem,
			[]string{"no answer from " + srv.Addr, "wrong priv_password or priv_protocol"}, nil},

		{"above error_max", snmpV2c(snmpObj(oidProcesses, "processes", "error_max", 1)), 0, StatusProblem,
			[]string{"processes ", "> 1 (error_max)"}, []string{"processes"}},
		{"above warning_max", snmpV2c(snmpObj(oidProcesses, "processes", "warning_max", 1, "error_max", 1e9)), 0, StatusWarning,
			[]string{"> 1 (warning_max)"}, []string{"processes"}},
		{"below warning_min", snmpV2c(snmpObj(oidSysUpTime, "uptime", "warning_min", 1e8)), 0, StatusWarning,
			[]string{"uptime ", "< 100000000 (warning_min)"}, []string{"uptime"}},
		{"contains mismatch", snmpV2c(snmpObj(oidSysDescr, "sys_descr", "contains", "OpenBSD")), 0, StatusProblem,
			[]string{`sys_descr does not contain "OpenBSD"`}, nil},
		{"regex mismatch", snmpV2c(snmpObj(oidSysDescr, "sys_descr", "regex", `^Windows`)), 0, StatusProblem,
			[]string{"sys_descr does not match /^Windows/"}, nil},
		{"regex match", snmpV2c(snmpObj(oidSysDescr, "sys_descr", "regex", `^Linux \S+`)), 0, StatusOK,
			[]string{`sys_descr "Linux`}, nil},
		{"no such object", snmpV2c(uptime, snmpObj(oidNoSuchObj, "not_there")), 0, StatusProblem,
			[]string{"not_there (" + oidNoSuchObj + "): no such object on this agent (noSuchObject)"}, []string{"uptime"}},
		{"no such instance", snmpV2c(snmpObj(oidNoSuchInst, "uptime_one")), 0, StatusProblem,
			[]string{"uptime_one (" + oidNoSuchInst + "): no such instance on this agent (noSuchInstance)"}, nil},
		{"v1 no such name", snmpMerge(snmpV2c(uptime, snmpObj(oidNoSuchObj, "not_there")), "version", "1"), 0, StatusProblem,
			[]string{"not_there (" + oidNoSuchObj + "): no such object on this agent (noSuchName)"}, nil},
		{"range on a string", snmpV2c(snmpObj(oidSysDescr, "sys_descr", "error_max", 5)), 0, StatusProblem,
			[]string{"(OctetString) is not a number"}, nil},
		{"rate of a gauge", snmpV2c(snmpObj(oidProcesses, "processes", "rate", true)), 0, StatusProblem,
			[]string{"a rate needs a Counter32 or Counter64, the agent answered Gauge32"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := tt.timeout
			if timeout == 0 {
				timeout = snmpRunTimeout
			}
			r := runSNMP(t, newSNMP(t, srv.Addr, tt.settings), srv.Addr, timeout)
			if r.Status != tt.status {
				t.Errorf("status %s, want %s (%s)", r.Status, tt.status, r.Message)
			}
			for _, sub := range tt.message {
				if !strings.Contains(r.Message, sub) {
					t.Errorf("message %q lacks %q", r.Message, sub)
				}
			}
			for _, k := range tt.values {
				if _, ok := r.Values[k]; !ok {
					t.Errorf("values %v lack %q", r.Values, k)
				}
			}
		})
	}
}

// snmpMerge returns a copy of m with the key/value pairs kv set.
func snmpMerge(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestSNMPValuesAgainstSnmpd checks the reported numbers themselves.
func TestSNMPValuesAgainstSnmpd(t *testing.T) {
	srv := testenv.StartSnmpd(t)
	c := newSNMP(t, srv.Addr, snmpV2c(snmpObj(oidSysUpTime, "uptime"), snmpObj(oidProcesses, "processes"), snmpObj(oidSysDescr, "sys_descr")))
	r := runSNMP(t, c, srv.Addr, snmpRunTimeout)
	if r.Status != StatusOK {
		t.Fatalf("status %s: %s", r.Status, r.Message)
	}
	// The agent was started a moment ago: its uptime is seconds, not
	// hundredths.
	if up := r.Values["uptime"]; up <= 0 || up > 600 {
		t.Errorf("uptime %v s, want the seconds since the agent started", up)
	}
	if n := r.Values["processes"]; n < 1 {
		t.Errorf("processes %v, want at least this test's own", n)
	}
	if _, ok := r.Values["sys_descr"]; ok {
		t.Errorf("a text object has a value: %v", r.Values)
	}
	if r.Values["response_ms"] <= 0 || r.LatencyMS <= 0 {
		t.Errorf("no response time: %v, latency %v", r.Values, r.LatencyMS)
	}
}

// TestSNMPRefused points the check at a UDP port nobody listens on: the
// kernel's port-unreachable answer ends the run at once.
func TestSNMPRefused(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.LocalAddr().String()
	l.Close()
	c := newSNMP(t, addr, snmpV2c(snmpObj(oidSysUpTime, "uptime")))
	r := runSNMP(t, c, addr, 5*time.Second)
	if r.Status != StatusProblem || !strings.Contains(r.Message, "connection refused") {
		t.Errorf("got %s %q, want a problem saying connection refused", r.Status, r.Message)
	}
}

// TestSNMPCounterRate reads lo's ifInOctets as a rate: the first run has
// no rate, later runs do, and a restart of the agent skips one rate.
func TestSNMPCounterRate(t *testing.T) {
	srv := testenv.StartSnmpd(t)
	c := newSNMP(t, srv.Addr, snmpV2c(snmpObj(oidLoInOctets, "lo_in_bytes", "rate", true, "error_max", 1e12)))
	first := runSNMP(t, c, srv.Addr, snmpRunTimeout)
	if first.Status != StatusOK || !strings.Contains(first.Message, "first reading") {
		t.Fatalf("first run: %s %q, want ok with no rate yet", first.Status, first.Message)
	}
	if _, ok := first.Values["lo_in_bytes"]; ok {
		t.Fatalf("first run has a rate: %v", first.Values)
	}
	// net-snmp caches the interface table for a few seconds: send traffic
	// over loopback until a run sees the counter move.
	deadline := time.Now().Add(30 * time.Second)
	var rate float64
	for runs := 2; rate <= 0; runs++ {
		if time.Now().After(deadline) {
			t.Fatalf("no rate above 0 after %d runs with loopback traffic between them", runs)
		}
		sendLoopback(t, 1<<20)
		time.Sleep(time.Second)
		r := runSNMP(t, c, srv.Addr, snmpRunTimeout)
		v, ok := r.Values["lo_in_bytes"]
		if r.Status != StatusOK || !ok {
			t.Fatalf("run %d: %s %q %v, want ok with a rate", runs, r.Status, r.Message, r.Values)
		}
		if !strings.Contains(r.Message, "lo_in_bytes ") || !strings.Contains(r.Message, "/s") {
			t.Errorf("run %d: message %q does not show the rate", runs, r.Message)
		}
		rate = v
	}

	t.Run("warning on a rate", func(t *testing.T) {
		w := newSNMP(t, srv.Addr, snmpV2c(snmpObj(oidLoInOctets, "lo_in_bytes", "rate", true, "warning_max", 0)))
		runSNMP(t, w, srv.Addr, snmpRunTimeout)
		deadline := time.Now().Add(30 * time.Second)
		for {
			sendLoopback(t, 1<<20)
			time.Sleep(time.Second)
			r := runSNMP(t, w, srv.Addr, snmpRunTimeout)
			if r.Status == StatusWarning && strings.Contains(r.Message, "/s > 0 (warning_max)") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no warning for a rate above warning_max 0: %s %q", r.Status, r.Message)
			}
		}
	})

	t.Run("agent restart skips one rate", func(t *testing.T) {
		srv.Restart()
		r := runSNMP(t, c, srv.Addr, snmpRunTimeout)
		if r.Status != StatusOK || !strings.Contains(r.Message, "restarted") {
			t.Fatalf("after a restart: %s %q, want ok saying the agent restarted", r.Status, r.Message)
		}
		if _, ok := r.Values["lo_in_bytes"]; ok {
			t.Errorf("a rate across a restart: %v", r.Values)
		}
		r = runSNMP(t, c, srv.Addr, snmpRunTimeout)
		if _, ok := r.Values["lo_in_bytes"]; !ok || r.Status != StatusOK {
			t.Errorf("the run after: %s %q %v, want a rate again", r.Status, r.Message, r.Values)
		}
	})
}
