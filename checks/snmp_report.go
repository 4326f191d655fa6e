package checks

import (
	"fmt"
	"net"

	"github.com/gosnmp/gosnmp"
)

// SNMPv3 agents answer a request they refuse with a Report PDU naming a
// usmStats counter (RFC 3414, 3.2). Reports about authentication are sent
// unauthenticated, and gosnmp rightly refuses to trust them: it only says
// "incoming packet is not authentic". The checker keeps the last datagram
// it received and, once the run has failed anyway, reads the report in it
// to say why. An unauthenticated report only ever explains a failure; it
// never makes a run pass.

// The usmStats counters a report names (RFC 3414, 5).
const (
	usmStatsUnsupportedSecLevels = ".1.3.6.1.6.3.15.1.1.1.0"
	usmStatsNotInTimeWindows     = ".1.3.6.1.6.3.15.1.1.2.0"
	usmStatsUnknownUserNames     = ".1.3.6.1.6.3.15.1.1.3.0"
	usmStatsWrongDigests         = ".1.3.6.1.6.3.15.1.1.5.0"
	usmStatsDecryptionErrors     = ".1.3.6.1.6.3.15.1.1.6.0"
)

// snmpReports says what each report means for the settings; %[1]s is the
// user, %[2]s the security level. usmStatsUnknownEngineIDs is not here: it
// is the normal answer to engine discovery, so it is the last datagram of
// many runs that failed for another reason.
var snmpReports = map[string]string{
	usmStatsUnsupportedSecLevels: "SNMPv3 authentication failed: the agent does not allow security level %[2]s for %[1]s (usmStatsUnsupportedSecLevels)",
	usmStatsNotInTimeWindows:     "SNMPv3: the request stayed outside the agent's time window (usmStatsNotInTimeWindows)",
	usmStatsUnknownUserNames:     "SNMPv3 authentication failed: the agent has no %[1]s (usmStatsUnknownUserNames)",
	usmStatsWrongDigests:         "SNMPv3 authentication failed for %[1]s: wrong auth_password or auth_protocol (usmStatsWrongDigests)",
	usmStatsDecryptionErrors:     "SNMPv3 decryption failed for %[1]s: wrong priv_password or priv_protocol (usmStatsDecryptionErrors)",
}

// snmpReportErrors are gosnmp's errors for the reports it does accept.
var snmpReportErrors = []struct {
	err error
	oid string
}{
	{gosnmp.ErrUnknownSecurityLevel, usmStatsUnsupportedSecLevels},
	{gosnmp.ErrNotInTimeWindow, usmStatsNotInTimeWindows},
	{gosnmp.ErrUnknownUsername, usmStatsUnknownUserNames},
	{gosnmp.ErrWrongDigest, usmStatsWrongDigests},
	{gosnmp.ErrDecryption, usmStatsDecryptionErrors},
}

// reportMessage explains the report naming oid, or returns "" for an OID
// that is no known report.
func (c *snmpChecker) reportMessage(oid string) string {
	text, ok := snmpReports[oid]
	if !ok {
		return ""
	}
	return "snmp: " + fmt.Sprintf(text, fmt.Sprintf("user %q", c.s.Username), c.s.SecurityLevel)
}

// snmpRecordConn is the client's UDP socket, keeping a copy of the last
// datagram read (at most one datagram, 64 KiB, so memory stays bounded).
type snmpRecordConn struct {
	net.Conn
	last []byte
}

func (c *snmpRecordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.last = append(c.last[:0], p[:n]...)
	}
	return n, err
}

// snmpReportOID returns the usmStats OID of the Report PDU in datagram b,
// or "" when b holds no such report. It never panics on hostile input.
func snmpReportOID(b []byte, username string) (oid string) {
	if len(b) == 0 {
		return ""
	}
	defer func() {
		if recover() != nil {
			oid = ""
		}
	}()
	if username == "" {
		username = "-"
	}
	dec := &gosnmp.GoSNMP{
		Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.NoAuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: username},
	}
	pkt, err := dec.SnmpDecodePacket(b)
	if err != nil || pkt == nil || pkt.PDUType != gosnmp.Report || len(pkt.Variables) != 1 {
		return ""
	}
	return pkt.Variables[0].Name
}
