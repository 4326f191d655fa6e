package checks

import (
	"encoding/json"
	"errors"
	"testing"
)

// validationCase is one settings object for one type: field "" means the
// settings are good, otherwise the *SettingError must name that field.
type validationCase struct {
	name     string
	target   string
	settings string
	field    string
}

// validationCases holds the table for every registered external type;
// TestRegistryComplete fails for a type missing here.
var validationCases = map[string][]validationCase{
	"http": {
		{"defaults", "https://example.com/health", `{}`, ""},
		{"null settings", "http://127.0.0.1:8080/", `null`, ""},
		{"everything", "http://example.com/", `{"method":"post","headers":{"X-A":"b"},"body":"x","expect_status":"200,301-302","expect_contains":"ok","expect_regex":"^o","follow_redirects":false,"max_redirects":3,"tls_verify":false,"user_agent":"me","response_time_warning_ms":100,"response_time_error_ms":200,"cert_expiry_warning_days":30,"cert_expiry_error_days":7}`, ""},
		{"bad target scheme", "ftp://example.com/", `{}`, "target"},
		{"relative target", "/health", `{}`, "target"},
		{"bad method", "http://example.com/", `{"method":"BREW"}`, "settings.method"},
		{"bad status", "http://example.com/", `{"expect_status":"2xx"}`, "settings.expect_status"},
		{"backwards status", "http://example.com/", `{"expect_status":"299-200"}`, "settings.expect_status"},
		{"bad regex", "http://example.com/", `{"expect_regex":"(unclosed"}`, "settings.expect_regex"},
		{"negative redirects", "http://example.com/", `{"max_redirects":-1}`, "settings.max_redirects"},
		{"header with newline", "http://example.com/", `{"headers":{"X":"a\r\nb: c"}}`, "settings.headers"},
		{"header wrong type", "http://example.com/", `{"headers":{"X":1}}`, "settings.headers"},
		{"user agent newline", "http://example.com/", `{"user_agent":"a\nb"}`, "settings.user_agent"},
		{"warning above error", "http://example.com/", `{"response_time_warning_ms":500,"response_time_error_ms":100}`, "settings.response_time_warning_ms"},
		{"negative error ms", "http://example.com/", `{"response_time_error_ms":-1}`, "settings.response_time_error_ms"},
		{"cert warning below error", "http://example.com/", `{"cert_expiry_warning_days":2,"cert_expiry_error_days":5}`, "settings.cert_expiry_warning_days"},
		{"negative cert error", "http://example.com/", `{"cert_expiry_error_days":-1}`, "settings.cert_expiry_error_days"},
		{"missing ca file", "https://example.com/", `{"ca_file":"/nonexistent/ca.pem"}`, "settings.ca_file"},
		{"follow wrong type", "http://example.com/", `{"follow_redirects":"yes"}`, "settings.follow_redirects"},
		{"unknown setting", "http://example.com/", `{"expect_body":"x"}`, "settings.expect_body"},
		{"not an object", "http://example.com/", `[1]`, "settings"},
	},
	"tcp": {
		{"defaults", "db.example.com:5432", `{}`, ""},
		{"ipv6", "[2001:db8::1]:22", `{"send":"x","expect":"y","response_time_warning_ms":10}`, ""},
		{"no port", "db.example.com", `{}`, "target"},
		{"bad port", "db.example.com:99999", `{}`, "target"},
		{"warning above error", "a:1", `{"response_time_warning_ms":50,"response_time_error_ms":10}`, "settings.response_time_warning_ms"},
		{"negative warning", "a:1", `{"response_time_warning_ms":-5}`, "settings.response_time_warning_ms"},
		{"send wrong type", "a:1", `{"send":5}`, "settings.send"},
		{"unknown setting", "a:1", `{"timeout":"5s"}`, "settings.timeout"},
	},
	"icmp": {
		{"defaults", "192.0.2.1", `{}`, ""},
		{"ipv6 and name", "router.example.com", `{"count":10,"packet_size":1400,"interval":"1s","reply_timeout":"3s","ip_version":"6","loss_warning_percent":10,"loss_error_percent":50}`, ""},
		{"target with port", "example.com:80", `{}`, "target"},
		{"zero count", "192.0.2.1", `{"count":0}`, "settings.count"},
		{"huge packet", "192.0.2.1", `{"packet_size":70000}`, "settings.packet_size"},
		{"bad interval", "192.0.2.1", `{"interval":"soon"}`, "settings.interval"},
		{"interval not a string", "192.0.2.1", `{"interval":5}`, "settings.interval"},
		{"tiny interval", "192.0.2.1", `{"interval":"1ms"}`, "settings.interval"},
		{"bad reply timeout", "192.0.2.1", `{"reply_timeout":"0s"}`, "settings.reply_timeout"},
		{"bad ip version", "192.0.2.1", `{"ip_version":"5"}`, "settings.ip_version"},
		{"loss warning over 100", "192.0.2.1", `{"loss_warning_percent":101}`, "settings.loss_warning_percent"},
		{"loss error zero", "192.0.2.1", `{"loss_error_percent":0}`, "settings.loss_error_percent"},
		{"loss warning above error", "192.0.2.1", `{"loss_warning_percent":60,"loss_error_percent":50}`, "settings.loss_warning_percent"},
		{"rtt warning above error", "192.0.2.1", `{"response_time_warning_ms":60,"response_time_error_ms":50}`, "settings.response_time_warning_ms"},
		{"unknown setting", "192.0.2.1", `{"ttl":64}`, "settings.ttl"},
	},
	"dns": {
		{"defaults", "example.com", `{}`, ""},
		{"everything", "example.com", `{"record_type":"mx","resolver":"9.9.9.9","expect":["10 mail.example.com"],"protocol":"tcp","response_time_warning_ms":100,"response_time_error_ms":500}`, ""},
		{"ip for ptr", "192.0.2.1", `{"record_type":"PTR","resolver":"[2001:db8::53]:5353"}`, ""},
		{"bad name", "exa mple..com", `{}`, "target"},
		{"bad record type", "example.com", `{"record_type":"ANY"}`, "settings.record_type"},
		{"bad protocol", "example.com", `{"protocol":"quic"}`, "settings.protocol"},
		{"bad resolver port", "example.com", `{"resolver":"9.9.9.9:0"}`, "settings.resolver"},
		{"bad resolver", "example.com", `{"resolver":"a b"}`, "settings.resolver"},
		{"empty expect", "example.com", `{"expect":[""]}`, "settings.expect"},
		{"expect not a list", "example.com", `{"expect":"1.2.3.4"}`, "settings.expect"},
		{"threshold", "example.com", `{"response_time_error_ms":-3}`, "settings.response_time_error_ms"},
		{"unknown setting", "example.com", `{"server":"1.1.1.1"}`, "settings.server"},
	},
	"cpu": {
		{"defaults", "", `{}`, ""},
		{"target ignored", "web-1", `{"warning_percent":80,"error_percent":95,"per_core":true}`, ""},
		{"warning 0", "", `{"warning_percent":0}`, ""},
		{"warning above 100", "", `{"warning_percent":101,"error_percent":100}`, "settings.warning_percent"},
		{"negative error", "", `{"error_percent":-1}`, "settings.error_percent"},
		{"warning above error", "", `{"warning_percent":95,"error_percent":90}`, "settings.warning_percent"},
		{"per core wrong type", "", `{"per_core":"yes"}`, "settings.per_core"},
		{"unknown setting", "", `{"interval":"1s"}`, "settings.interval"},
	},
	"memory": {
		{"defaults", "", `{}`, ""},
		{"custom", "", `{"warning_percent":70,"error_percent":70}`, ""},
		{"error above 100", "", `{"error_percent":150}`, "settings.error_percent"},
		{"warning above error", "", `{"warning_percent":99}`, "settings.warning_percent"},
		{"percent wrong type", "", `{"warning_percent":"90"}`, "settings.warning_percent"},
		{"unknown setting", "", `{"min_available_bytes":1}`, "settings.min_available_bytes"},
	},
	"swap": {
		{"defaults", "", `{}`, ""},
		{"custom", "", `{"warning_percent":10,"error_percent":50}`, ""},
		{"negative warning", "", `{"warning_percent":-1}`, "settings.warning_percent"},
		{"warning above default error", "", `{"warning_percent":96}`, "settings.warning_percent"},
		{"unknown setting", "", `{"per_core":true}`, "settings.per_core"},
	},
	"disk": {
		{"root", "/", `{}`, ""},
		{"everything", "/var/lib", `{"warning_percent":80,"error_percent":90,"min_free_bytes":1073741824}`, ""},
		{"windows drive", "C:", `{}`, ""},
		{"windows path", `D:\data`, `{}`, ""},
		{"empty target", "", `{}`, "target"},
		{"relative target", "var", `{}`, "target"},
		{"negative min free", "/", `{"min_free_bytes":-1}`, "settings.min_free_bytes"},
		{"min free not a number", "/", `{"min_free_bytes":"1G"}`, "settings.min_free_bytes"},
		{"warning above error", "/", `{"warning_percent":99,"error_percent":98}`, "settings.warning_percent"},
		{"unknown setting", "/", `{"inodes_warning_percent":90}`, "settings.inodes_warning_percent"},
	},
	"load": {
		{"defaults", "", `{}`, ""},
		{"fractions", "", `{"warning_per_core":0.7,"error_per_core":1.5}`, ""},
		{"negative warning", "", `{"warning_per_core":-1}`, "settings.warning_per_core"},
		{"negative error", "", `{"warning_per_core":0,"error_per_core":-2}`, "settings.error_per_core"},
		{"warning above error", "", `{"warning_per_core":5}`, "settings.warning_per_core"},
		{"wrong type", "", `{"error_per_core":"4"}`, "settings.error_per_core"},
		{"unknown setting", "", `{"warning_load":2}`, "settings.warning_load"},
	},
	"network": {
		{"defaults", "eth0", `{}`, ""},
		{"everything", "Ethernet 2", `{"rate_warning_bytes_per_second":1000000,"rate_error_bytes_per_second":5000000,"errors_warning_per_second":0.5,"errors_error_per_second":10}`, ""},
		{"warning only", "lo", `{"rate_warning_bytes_per_second":1000}`, ""},
		{"empty target", "", `{}`, "target"},
		{"control character", "eth0\n", `{}`, "target"},
		{"rate warning above error", "eth0", `{"rate_warning_bytes_per_second":10,"rate_error_bytes_per_second":5}`, "settings.rate_warning_bytes_per_second"},
		{"negative rate", "eth0", `{"rate_error_bytes_per_second":-1}`, "settings.rate_error_bytes_per_second"},
		{"negative errors", "eth0", `{"errors_warning_per_second":-0.5}`, "settings.errors_warning_per_second"},
		{"errors warning above error", "eth0", `{"errors_warning_per_second":3,"errors_error_per_second":1}`, "settings.errors_warning_per_second"},
		{"fractional rate", "eth0", `{"rate_error_bytes_per_second":1.5}`, "settings.rate_error_bytes_per_second"},
		{"unknown setting", "eth0", `{"interface":"eth1"}`, "settings.interface"},
	},
	"process": {
		{"defaults", "nginx", `{}`, ""},
		{"cmdline", "java .*-jar app\\.jar", `{"match":"cmdline","min_count":2,"max_count":4}`, ""},
		{"none expected", "cryptominer", `{"min_count":0,"max_count":0}`, ""},
		{"equal bounds", "nginx", `{"min_count":3,"max_count":3}`, ""},
		{"empty target", "", `{}`, "target"},
		{"blank target", "  ", `{}`, "target"},
		{"bad match", "nginx", `{"match":"exe"}`, "settings.match"},
		{"negative min", "nginx", `{"min_count":-1}`, "settings.min_count"},
		{"negative max", "nginx", `{"max_count":-1}`, "settings.max_count"},
		{"max below min", "nginx", `{"min_count":3,"max_count":2}`, "settings.max_count"},
		{"unknown setting", "nginx", `{"user":"www-data"}`, "settings.user"},
	},
	"tls": {
		{"defaults", "example.com:443", `{}`, ""},
		{"no port", "example.com", `{"server_name":"www.example.com","tls_verify_chain":false,"min_tls_version":"1.3","cert_expiry_warning_days":30,"cert_expiry_error_days":7}`, ""},
		{"bad port", "example.com:0", `{}`, "target"},
		{"bad server name", "example.com:443", `{"server_name":"a:443"}`, "settings.server_name"},
		{"bad min version", "example.com:443", `{"min_tls_version":"1.1"}`, "settings.min_tls_version"},
		{"cert warning below error", "example.com:443", `{"cert_expiry_warning_days":1,"cert_expiry_error_days":3}`, "settings.cert_expiry_warning_days"},
		{"rtt", "example.com:443", `{"response_time_warning_ms":-1}`, "settings.response_time_warning_ms"},
		{"bad ca file", "example.com:443", `{"ca_file":"/dev/null"}`, "settings.ca_file"},
		{"verify wrong type", "example.com:443", `{"tls_verify_chain":1}`, "settings.tls_verify_chain"},
		{"unknown setting", "example.com:443", `{"tls_verify":false}`, "settings.tls_verify"},
	},
}

func TestValidation(t *testing.T) {
	for kind, cases := range validationCases {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				c, err := New(kind, tc.target, json.RawMessage(tc.settings))
				if tc.field == "" {
					if err != nil || c == nil {
						t.Fatalf("want valid, got %v", err)
					}
					return
				}
				var se *SettingError
				if !errors.As(err, &se) {
					t.Fatalf("want *SettingError on %s, got %T %v", tc.field, err, err)
				}
				if se.Field != tc.field || se.Msg == "" {
					t.Fatalf("error names %q (%q), want %q", se.Field, se.Msg, tc.field)
				}
			})
		}
	}
}
