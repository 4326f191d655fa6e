package checks

import (
	"context"
	"math"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// snmpFakeAgent is an SNMPv2c agent on loopback whose answers a test writes:
// for hostile, broken and unusual answers that snmpd never gives.
type snmpFakeAgent struct {
	addr     string
	requests atomic.Int64
}

// startSNMPFakeAgent answers every request with what answer returns for it
// (raw datagrams; none for silence). n counts requests from 1.
func startSNMPFakeAgent(t testing.TB, answer func(req *gosnmp.SnmpPacket, n int64) [][]byte) *snmpFakeAgent {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &snmpFakeAgent{addr: conn.LocalAddr().String()}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c}
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			req, err := dec.SnmpDecodePacket(buf[:n])
			if err != nil {
				continue
			}
			for _, d := range answer(req, a.requests.Add(1)) {
				_, _ = conn.WriteTo(d, from)
			}
		}
	}()
	return a
}

// snmpResponse marshals a GetResponse to req holding vars.
func snmpResponse(t testing.TB, req *gosnmp.SnmpPacket, vars ...gosnmp.SnmpPDU) []byte {
	t.Helper()
	p := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetResponse,
		RequestID: req.RequestID, Variables: vars}
	b, err := p.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// snmpEcho answers each asked OID with the value for it in values (by OID
// without the leading dot), noSuchObject for others.
func snmpEcho(t testing.TB, values map[string]gosnmp.SnmpPDU) func(*gosnmp.SnmpPacket, int64) [][]byte {
	return func(req *gosnmp.SnmpPacket, _ int64) [][]byte {
		vars := make([]gosnmp.SnmpPDU, len(req.Variables))
		for i, v := range req.Variables {
			pdu, ok := values[strings.TrimPrefix(v.Name, ".")]
			if !ok {
				pdu = gosnmp.SnmpPDU{Type: gosnmp.NoSuchObject}
			}
			pdu.Name = v.Name
			vars[i] = pdu
		}
		return [][]byte{snmpResponse(t, req, vars...)}
	}
}

// TestSNMPValueTypes reads one object of every type over the wire.
func TestSNMPValueTypes(t *testing.T) {
	a := startSNMPFakeAgent(t, snmpEcho(t, map[string]gosnmp.SnmpPDU{
		"1.3.1": {Type: gosnmp.Integer, Value: -5},
		"1.3.2": {Type: gosnmp.Counter32, Value: uint32(7)},
		"1.3.3": {Type: gosnmp.Gauge32, Value: uint32(42)},
		"1.3.4": {Type: gosnmp.TimeTicks, Value: uint32(360012)},
		"1.3.5": {Type: gosnmp.Counter64, Value: uint64(1) << 40},
		"1.3.6": {Type: gosnmp.OctetString, Value: []byte(" 0.15")},
		"1.3.7": {Type: gosnmp.IPAddress, Value: "192.0.2.7"},
		"1.3.8": {Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.4.1.8072"},
		"1.3.9": {Type: gosnmp.OctetString, Value: []byte{0x00, 0x1a, 0x2b, 0xff}},
		"1.4.1": {Type: gosnmp.OpaqueFloat, Value: float32(2.5)},
		"1.4.2": {Type: gosnmp.Uinteger32, Value: uint32(9)},
	}))
	settings := `{"community":"public","oids":[
		{"oid":"1.3.1","name":"integer","error_max":0},
		{"oid":"1.3.2","name":"counter32"},
		{"oid":"1.3.3","name":"gauge32","warning_min":42,"warning_max":42},
		{"oid":"1.3.4","name":"ticks","error_min":3600},
		{"oid":"1.3.5","name":"counter64"},
		{"oid":"1.3.6","name":"load","error_max":1},
		{"oid":"1.3.7","name":"address","contains":"192.0.2."},
		{"oid":"1.3.8","name":"object_id","regex":"^\\.1\\.3\\.6\\.1\\.4\\.1\\.8072$"},
		{"oid":"1.3.9","name":"mac","contains":"00:1a:2b:ff"},
		{"oid":"1.4.1","name":"opaque_float","error_min":2.5},
		{"oid":"1.4.2","name":"unsigned","regex":"^9$"}]}`
	c, err := New("snmp", a.addr, []byte(settings))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Check(context.Background(), a.addr)
	if r.Status != StatusOK {
		t.Fatalf("%s: %s", r.Status, r.Message)
	}
	want := map[string]float64{"integer": -5, "counter32": 7, "gauge32": 42, "ticks": 3600.12, "counter64": 1 << 40,
		"load": 0.15, "opaque_float": 2.5, "unsigned": 9}
	for k, v := range want {
		if got, ok := r.Values[k]; !ok || got != v {
			t.Errorf("value %s = %v (%v), want %v", k, got, ok, v)
		}
	}
	for _, k := range []string{"address", "object_id", "mac"} {
		if _, ok := r.Values[k]; ok {
			t.Errorf("text object %s has a value", k)
		}
	}
	for _, sub := range []string{"integer -5", "ticks 3600.12 s", `load " 0.15"`, `address "192.0.2.7"`, `mac "00:1a:2b:ff"`} {
		if !strings.Contains(r.Message, sub) {
			t.Errorf("message %q lacks %q", r.Message, sub)
		}
	}
}

// TestSNMPHostileAgent feeds answers no sane agent sends: each run must
// end as a problem with a short message, never a panic or a hang.
func TestSNMPHostileAgent(t *testing.T) {
	big := []byte(strings.Repeat("A", 60000))
	tests := []struct {
		name   string
		answer func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte
		oids   string
		status Status
		msg    string
	}{
		{"garbage", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return func(*gosnmp.SnmpPacket, int64) [][]byte {
				return [][]byte{{0x30, 0x82, 0xff, 0xff, 0x02, 0x01}, []byte("hello"), {}}
			}
		}, `[{"oid":"1.3.1","name":"a"}]`, StatusProblem, "snmp: "},
		{"wrong request id", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return func(req *gosnmp.SnmpPacket, _ int64) [][]byte {
				other := *req
				other.RequestID++
				return [][]byte{snmpResponse(t, &other, gosnmp.SnmpPDU{Name: ".1.3.1", Type: gosnmp.Integer, Value: 1})}
			}
		}, `[{"oid":"1.3.1","name":"a"}]`, StatusProblem, "no answer from"},
		{"fewer values", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return func(req *gosnmp.SnmpPacket, _ int64) [][]byte {
				return [][]byte{snmpResponse(t, req, gosnmp.SnmpPDU{Name: ".1.3.1", Type: gosnmp.Integer, Value: 1})}
			}
		}, `[{"oid":"1.3.1","name":"a"},{"oid":"1.3.2","name":"b"}]`, StatusProblem, "the agent answered 1 value(s) for 2 OIDs"},
		{"other object", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return func(req *gosnmp.SnmpPacket, _ int64) [][]byte {
				return [][]byte{snmpResponse(t, req, gosnmp.SnmpPDU{Name: ".1.3.9.9", Type: gosnmp.Integer, Value: 1})}
			}
		}, `[{"oid":"1.3.1","name":"a"}]`, StatusProblem, "the agent answered .1.3.9.9 where a (1.3.1) was asked"},
		{"error status", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return func(req *gosnmp.SnmpPacket, _ int64) [][]byte {
				p := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetResponse,
					RequestID: req.RequestID, Error: gosnmp.GenErr, ErrorIndex: 2, Variables: req.Variables}
				b, err := p.MarshalMsg()
				if err != nil {
					t.Fatal(err)
				}
				return [][]byte{b}
			}
		}, `[{"oid":"1.3.1","name":"a"},{"oid":"1.3.2","name":"b"}]`, StatusProblem, "the agent answered error GenErr for b (1.3.2)"},
		{"huge string", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return snmpEcho(t, map[string]gosnmp.SnmpPDU{"1.3.1": {Type: gosnmp.OctetString, Value: big}})
		}, `[{"oid":"1.3.1","name":"a","contains":"B"}]`, StatusProblem, `a does not contain "B"`},
		{"number where text was expected", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return snmpEcho(t, map[string]gosnmp.SnmpPDU{"1.3.1": {Type: gosnmp.Counter64, Value: uint64(math.MaxUint64)}})
		}, `[{"oid":"1.3.1","name":"a","contains":"Linux"}]`, StatusProblem, `a 18446744073709551615 in `},
		{"null value", func(t testing.TB) func(*gosnmp.SnmpPacket, int64) [][]byte {
			return snmpEcho(t, map[string]gosnmp.SnmpPDU{"1.3.1": {Type: gosnmp.Null}})
		}, `[{"oid":"1.3.1","name":"a"}]`, StatusProblem, "a (1.3.1): the agent answered Null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startSNMPFakeAgent(t, tt.answer(t))
			c, err := New("snmp", a.addr, []byte(`{"community":"public","retries":0,"oids":`+tt.oids+`}`))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			r := c.Check(ctx, a.addr)
			t.Logf("%s: %.300s", r.Status, r.Message)
			if r.Status != tt.status || !strings.Contains(r.Message, tt.msg) {
				t.Errorf("got %s %.300q, want %s with %q", r.Status, r.Message, tt.status, tt.msg)
			}
			if len(r.Message) > 2000 {
				t.Errorf("message of %d bytes", len(r.Message))
			}
		})
	}
}

// TestSNMPCounter32Wrap reads a counter that wraps between two runs while
// sysUpTime runs on: the rate counts across the wrap.
func TestSNMPCounter32Wrap(t *testing.T) {
	a := startSNMPFakeAgent(t, func(req *gosnmp.SnmpPacket, n int64) [][]byte {
		counter := uint32(math.MaxUint32 - 999)
		if n > 1 {
			counter = 1000
		}
		vars := []gosnmp.SnmpPDU{
			{Name: ".1.3.1", Type: gosnmp.Counter32, Value: counter},
			{Name: snmpUptimeOID, Type: gosnmp.TimeTicks, Value: uint32(500_000 + n*10)},
		}
		return [][]byte{snmpResponse(t, req, vars...)}
	})
	c, err := New("snmp", a.addr, []byte(`{"community":"public","oids":[{"oid":"1.3.1","name":"octets","rate":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	first := c.Check(context.Background(), a.addr)
	time.Sleep(50 * time.Millisecond)
	second := c.Check(context.Background(), a.addr)
	rate, ok := second.Values["octets"]
	if first.Status != StatusOK || second.Status != StatusOK || !ok {
		t.Fatalf("runs: %s %q, %s %q", first.Status, first.Message, second.Status, second.Message)
	}
	// 2,000 octets over the time between the answers: at least 50 ms, so
	// at most 40,000/s; and not the 4e9 of a wrap read as a fall.
	if rate <= 0 || rate > 40_000 {
		t.Errorf("rate %v/s across a wrap of 2,000 octets", rate)
	}
}
