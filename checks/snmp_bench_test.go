package checks

import (
	"context"
	"testing"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// BenchmarkSNMPCheck times one run against the real snmpd on loopback:
// three objects, with SNMPv2c and with SNMPv3 authPriv (which adds engine
// discovery and the crypto on every run).
func BenchmarkSNMPCheck(b *testing.B) {
	srv := testenv.StartSnmpd(b, snmpTestUsers...)
	oids := []map[string]any{snmpObj(oidSysDescr, "sys_descr", "contains", "Linux"), snmpObj(oidSysUpTime, "uptime", "error_min", 0), snmpObj(oidLoInOctets, "lo_in_bytes", "rate", true)}
	for _, bc := range []struct {
		name     string
		settings map[string]any
	}{
		{"v2c", snmpV2c(oids...)},
		{"v3_authPriv", snmpV3("authPriv", "authPriv", nil, oids...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			raw := snmpJSON(b, bc.settings)
			c, err := New("snmp", srv.Addr, raw)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if r := c.Check(ctx, srv.Addr); r.Status != StatusOK {
					b.Fatal(r.Message)
				}
			}
		})
	}
}
