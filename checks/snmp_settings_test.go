package checks

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// The snmp table of validationCases lives here, beside the type.
func init() {
	const up = `"oids":[{"oid":"1.3.6.1.2.1.1.3.0","name":"uptime"}]`
	validationCases["snmp"] = []validationCase{
		{"v2c", "192.0.2.1", `{"community":"public",` + up + `}`, ""},
		{"v1 with port", "switch.example.com:1161", `{"version":"1","community":"c",` + up + `}`, ""},
		{"ipv6", "[2001:db8::1]:161", `{"community":"c",` + up + `}`, ""},
		{"bare ipv6", "2001:db8::1", `{"community":"c",` + up + `}`, ""},
		{"v3 authPriv", "192.0.2.1", `{"version":"3","username":"u","auth_password":"12345678","priv_password":"abcdefgh",` + up + `}`, ""},
		{"v3 every setting", "192.0.2.1", `{"version":"3","username":"u","security_level":"authpriv","auth_protocol":"sha256","auth_password":"12345678","priv_protocol":"aes-256-c","priv_password":"abcdefgh","context_name":"vlan-1","retries":0,"response_time_warning_ms":100,"response_time_error_ms":500,` + up + `}`, ""},
		{"v3 noAuthNoPriv", "192.0.2.1", `{"version":"3","username":"u","security_level":"noAuthNoPriv",` + up + `}`, ""},
		{"v3 ignores community", "192.0.2.1", `{"version":"3","username":"u","security_level":"noAuthNoPriv","community":"x",` + up + `}`, ""},
		{"every condition", "192.0.2.1", `{"community":"c","oids":[{"oid":".1.3.6.1.2.1.1.1.0","name":"descr","contains":"Linux","regex":"^L"},{"oid":"1.3.6.1.2.1.2.2.1.10.1","name":"lo_in","rate":true,"warning_min":1,"warning_max":10,"error_min":0,"error_max":20}]}`, ""},
		{"equal bounds", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"x","warning_min":5,"warning_max":5,"error_min":5,"error_max":5}]}`, ""},

		{"empty target", "", `{"community":"c",` + up + `}`, "target"},
		{"bad port", "192.0.2.1:0", `{"community":"c",` + up + `}`, "target"},
		{"space in host", "a b", `{"community":"c",` + up + `}`, "target"},
		{"bad version", "192.0.2.1", `{"version":"4","community":"c",` + up + `}`, "settings.version"},
		{"version as number", "192.0.2.1", `{"version":2,"community":"c",` + up + `}`, "settings.version"},
		{"no community", "192.0.2.1", `{` + up + `}`, "settings.community"},
		{"retries too many", "192.0.2.1", `{"community":"c","retries":9,` + up + `}`, "settings.retries"},
		{"negative retries", "192.0.2.1", `{"community":"c","retries":-1,` + up + `}`, "settings.retries"},
		{"v3 no user", "192.0.2.1", `{"version":"3","auth_password":"12345678","priv_password":"abcdefgh",` + up + `}`, "settings.username"},
		{"v3 bad level", "192.0.2.1", `{"version":"3","username":"u","security_level":"high",` + up + `}`, "settings.security_level"},
		{"v3 bad auth protocol", "192.0.2.1", `{"version":"3","username":"u","auth_protocol":"SHA-1024","auth_password":"12345678","priv_password":"abcdefgh",` + up + `}`, "settings.auth_protocol"},
		{"v3 short auth password", "192.0.2.1", `{"version":"3","username":"u","security_level":"authNoPriv","auth_password":"short",` + up + `}`, "settings.auth_password"},
		{"v3 no priv password", "192.0.2.1", `{"version":"3","username":"u","auth_password":"12345678",` + up + `}`, "settings.priv_password"},
		{"v3 bad priv protocol", "192.0.2.1", `{"version":"3","username":"u","auth_password":"12345678","priv_protocol":"3DES","priv_password":"abcdefgh",` + up + `}`, "settings.priv_protocol"},
		{"v3 long context", "192.0.2.1", `{"version":"3","username":"u","security_level":"noAuthNoPriv","context_name":"` + strings.Repeat("c", 33) + `",` + up + `}`, "settings.context_name"},
		{"response times", "192.0.2.1", `{"community":"c","response_time_warning_ms":50,"response_time_error_ms":10,` + up + `}`, "settings.response_time_warning_ms"},
		{"unknown setting", "192.0.2.1", `{"community":"c","oid":"1.3",` + up + `}`, "settings.oid"},

		{"no oids", "192.0.2.1", `{"community":"c"}`, "settings.oids"},
		{"empty oids", "192.0.2.1", `{"community":"c","oids":[]}`, "settings.oids"},
		{"oids as text", "192.0.2.1", `{"community":"c","oids":"1.3.6.1.2.1.1.3.0"}`, "settings.oids"},
		{"oid entry not an object", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a"},7]}`, "settings.oids[1]"},
		{"missing oid", "192.0.2.1", `{"community":"c","oids":[{"name":"a"}]}`, "settings.oids[0].oid"},
		{"mib name", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a"},{"oid":"sysUpTime.0","name":"b"}]}`, "settings.oids[1].oid"},
		{"oid too short", "192.0.2.1", `{"community":"c","oids":[{"oid":"1","name":"a"}]}`, "settings.oids[0].oid"},
		{"oid first arc", "192.0.2.1", `{"community":"c","oids":[{"oid":"3.6.1","name":"a"}]}`, "settings.oids[0].oid"},
		{"oid part too big", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3.4294967296","name":"a"}]}`, "settings.oids[0].oid"},
		{"oid empty part", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3..6","name":"a"}]}`, "settings.oids[0].oid"},
		{"oid leading zero", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.03.6","name":"a"}]}`, "settings.oids[0].oid"},
		{"oid not a string", "192.0.2.1", `{"community":"c","oids":[{"oid":1.3,"name":"a"}]}`, "settings.oids[0].oid"},
		{"missing name", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3"}]}`, "settings.oids[0].name"},
		{"name not snake case", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a"},{"oid":"1.3.6","name":"Up Time"}]}`, "settings.oids[1].name"},
		{"name reserved", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"response_ms"}]}`, "settings.oids[0].name"},
		{"name twice", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a"},{"oid":"1.3.6","name":"a"}]}`, "settings.oids[1].name"},
		{"bad regex", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","regex":"(x"}]}`, "settings.oids[0].regex"},
		{"rate with contains", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","rate":true,"contains":"x"}]}`, "settings.oids[0].contains"},
		{"rate not a bool", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","rate":"yes"}]}`, "settings.oids[0].rate"},
		{"bound not a number", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","error_max":"5"}]}`, "settings.oids[0].error_max"},
		{"warning range backwards", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","warning_min":10,"warning_max":5}]}`, "settings.oids[0].warning_min"},
		{"error range backwards", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","error_min":10,"error_max":5}]}`, "settings.oids[0].error_min"},
		{"warning below error min", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","error_min":10,"warning_min":5}]}`, "settings.oids[0].error_min"},
		{"warning above error max", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","error_max":10,"warning_max":50}]}`, "settings.oids[0].warning_max"},
		{"unknown oid field", "192.0.2.1", `{"community":"c","oids":[{"oid":"1.3","name":"a","max":5}]}`, "settings.oids[0].max"},
	}
}

// TestSNMPValidationMessages checks that the errors read well, beyond the
// field they name.
func TestSNMPValidationMessages(t *testing.T) {
	tests := []struct {
		name, settings, field, msg string
	}{
		{"community", `{"version":"1","oids":[{"oid":"1.3","name":"a"}]}`, "settings.community", `is required for SNMPv1`},
		{"oid", `{"community":"c","oids":[{"oid":"ifInOctets.1","name":"a"}]}`, "settings.oids[0].oid", `names from MIBs are not supported`},
		{"unknown field", `{"community":"c","oids":[{"oid":"1.3","name":"a","warn_max":3}]}`, "settings.oids[0].warn_max", `unknown field "warn_max" (known: oid, name, warning_min`},
		{"wrong type", `{"community":"c","oids":[{"oid":"1.3","name":"a","warning_max":"3"}]}`, "settings.oids[0].warning_max", `must be a number`},
		{"range order", `{"community":"c","oids":[{"oid":"1.3","name":"a","warning_max":30,"error_max":20}]}`, "settings.oids[0].warning_max", `must not be above error_max (30 > 20)`},
		{"duplicate", `{"community":"c","oids":[{"oid":"1.3","name":"a"},{"oid":"1.4","name":"a"}]}`, "settings.oids[1].name", `"a" is already the name of oids[0]`},
		{"too many", `{"community":"c","oids":[` + strings.Repeat(`{"oid":"1.3","name":"a"},`, 50) + `{"oid":"1.3","name":"a"}]}`, "settings.oids", "between 1 and 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("snmp", "192.0.2.1", json.RawMessage(tt.settings))
			var se *SettingError
			if !errors.As(err, &se) {
				t.Fatalf("want *SettingError, got %T %v", err, err)
			}
			if se.Field != tt.field || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got %s: %s\nwant %s: …%s…", se.Field, se.Msg, tt.field, tt.msg)
			}
		})
	}
}

func TestParseOID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.1.3.0"},
		{".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.1.3.0"},
		{"0.0", ".0.0"},
		{"2.999.4294967295", ".2.999.4294967295"},
		{"1", ""},
		{"1.3.", ""},
		{"..1.3", ""},
		{"1.-3", ""},
		{"1.+3", ""},
		{"1.3 ", ""},
		{"iso.3.6", ""},
		{strings.Repeat("1.", 128) + "1", ""},
	}
	for _, tt := range tests {
		got, err := parseOID(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("parseOID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
