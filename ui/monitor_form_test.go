package ui

import "testing"

func TestSettingLabel(t *testing.T) {
	tests := []struct{ name, want string }{
		{"expected_status", "Expected status"},
		{"method", "Method"},
		{"tls_verify", "TLS verify"},
		{"skip_tls_verify", "Skip TLS verify"},
		{"ca_file", "CA file"},
		{"dns_server", "DNS server"},
		{"http_version", "HTTP version"},
		{"sni", "SNI"},
		{"tls_sni", "TLS SNI"},
		{"source_ip", "Source IP"},
		{"icmp_payload_size", "ICMP payload size"},
		{"url", "URL"},
		{"smtp_starttls", "SMTP STARTTLS"},
		{"imap_port", "IMAP port"},
		{"pop3_user", "POP3 user"},
		{"snmp_oid", "SNMP OID"},
		{"sql_query", "SQL query"},
		{"tcp_send", "TCP send"},
		{"response_time_warning_ms", "Response time warning (ms)"},
		{"cert_expiry_warning_days", "Certificate expiry warning (days)"},
		{"cert_expiry_warning", "Certificate expiry warning"},
		{"client_cert", "Client certificate"},
		{"packet_loss_warning_percent", "Packet loss warning (%)"},
		{"ms", "Ms"}, // a unit alone is a name, not a suffix
		{"days", "Days"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := settingLabel(CheckSetting{Name: tc.name}); got != tc.want {
				t.Errorf("settingLabel(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}
