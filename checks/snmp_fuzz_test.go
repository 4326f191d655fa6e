package checks

import (
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// FuzzSNMPAnswer feeds arbitrary datagrams to what the checker does with
// an agent's answer once gosnmp has decoded it: the shape checks, the
// values, the rates and the judgement, and the reading of SNMPv3 reports.
// None may panic or produce an unbounded message.
func FuzzSNMPAnswer(f *testing.F) {
	req := &gosnmp.SnmpPacket{RequestID: 7}
	for _, vars := range [][]gosnmp.SnmpPDU{
		{{Name: ".1.3.1", Type: gosnmp.OctetString, Value: []byte("Linux 6.1")}, {Name: ".1.3.2", Type: gosnmp.Counter32, Value: uint32(5)}, {Name: snmpUptimeOID, Type: gosnmp.TimeTicks, Value: uint32(100)}},
		{{Name: ".1.3.1", Type: gosnmp.NoSuchObject}, {Name: ".1.3.2", Type: gosnmp.Counter64, Value: uint64(1 << 60)}, {Name: snmpUptimeOID, Type: gosnmp.Integer, Value: -1}},
		{{Name: ".1.3.1", Type: gosnmp.IPAddress, Value: "192.0.2.1"}},
	} {
		f.Add(snmpResponse(f, req, vars...))
	}
	report := &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.NoAuthNoPriv, SecurityModel: gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "u", AuthoritativeEngineID: "\x80\x00\x1f\x88\x80engine"},
		PDUType:            gosnmp.Report, Variables: []gosnmp.SnmpPDU{{Name: usmStatsWrongDigests, Type: gosnmp.Counter32, Value: uint32(3)}}}
	if b, err := report.MarshalMsg(); err == nil {
		f.Add(b)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})

	raw := `{"community":"c","oids":[{"oid":"1.3.1","name":"a","contains":"x","regex":"^L"},{"oid":"1.3.2","name":"b","rate":true,"warning_max":1,"error_min":0}]}`
	checker, err := New("snmp", "192.0.2.1", []byte(raw))
	if err != nil {
		f.Fatal(err)
	}
	c := checker.(*snmpChecker)
	oids, uptimeAt := c.requestOIDs()
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c}
	f.Fuzz(func(t *testing.T, data []byte) {
		if oid := snmpReportOID(data, "u"); oid != "" {
			_ = c.reportMessage(oid)
		}
		pkt := snmpDecodeOrNil(dec, data)
		if pkt == nil {
			return
		}
		if msg := c.answerProblem(pkt, oids, uptimeAt); msg != "" {
			if len(msg) > 1000 {
				t.Fatalf("message of %d bytes", len(msg))
			}
			return
		}
		for round := range 2 {
			rates := c.rateUpdate("192.0.2.1", time.Unix(int64(1000+round), 0), pkt.Variables, uptimeAt)
			r := c.judge(pkt.Variables, rates, time.Millisecond, map[string]float64{})
			if !r.Status.Valid() || len(r.Message) > 4000 {
				t.Fatalf("result %s with a message of %d bytes", r.Status, len(r.Message))
			}
		}
	})
}

// snmpDecodeOrNil decodes an SNMPv2c message; gosnmp's own decoder is not
// under test, so a datagram it cannot decode (or panics on: the real path
// recovers from that in gosnmp) is skipped.
func snmpDecodeOrNil(dec *gosnmp.GoSNMP, data []byte) (pkt *gosnmp.SnmpPacket) {
	defer func() {
		if recover() != nil {
			pkt = nil
		}
	}()
	p, err := dec.SnmpDecodePacket(data)
	if err != nil {
		return nil
	}
	return p
}

// TestSNMPReportOID reads the usmStats OID from an SNMPv3 report, as
// agents send it unauthenticated, and nothing from other datagrams.
func TestSNMPReportOID(t *testing.T) {
	report := &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.NoAuthNoPriv, SecurityModel: gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "u", AuthoritativeEngineID: "\x80\x00\x1f\x88\x80engine"},
		PDUType:            gosnmp.Report, Variables: []gosnmp.SnmpPDU{{Name: usmStatsUnknownUserNames, Type: gosnmp.Counter32, Value: uint32(1)}}}
	b, err := report.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	if got := snmpReportOID(b, "someone"); got != usmStatsUnknownUserNames {
		t.Errorf("report: got %q, want %q", got, usmStatsUnknownUserNames)
	}
	resp := snmpResponse(t, &gosnmp.SnmpPacket{RequestID: 1}, gosnmp.SnmpPDU{Name: usmStatsWrongDigests, Type: gosnmp.Counter32, Value: uint32(1)})
	for name, d := range map[string][]byte{"empty": nil, "v2c response": resp, "garbage": []byte("\x30\x84\xff\xff\xff\xff")} {
		if got := snmpReportOID(d, "u"); got != "" {
			t.Errorf("%s: got %q, want none", name, got)
		}
	}
	c := &snmpChecker{s: snmpSettings{Username: "ops", SecurityLevel: "authPriv"}}
	if msg := c.reportMessage(usmStatsUnsupportedSecLevels); msg != `snmp: SNMPv3 authentication failed: the agent does not allow security level authPriv for user "ops" (usmStatsUnsupportedSecLevels)` {
		t.Errorf("message: %s", msg)
	}
}
