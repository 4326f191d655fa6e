package ui

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

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

// secretForm is the monitor form of a type with a secret setting.
func secretForm(more MonitorFormMore) (MonitorFormProps, MonitorFormMore) {
	p := sampleForm()
	p.Errors = nil
	p.Types = []CheckType{{Name: "smtp", Title: "SMTP", Settings: []CheckSetting{
		{Name: "username", Kind: "string"},
		{Name: "password", Kind: SecretKind, Help: "Password for username"},
	}}}
	p.Values.Type = "smtp"
	// Whatever the values hold, a secret is never rendered from them.
	p.Values.Settings = map[string]string{"username": "vigil", "password": "plain-in-props"}
	return p, more
}

// TestSecretSettingField: a password input that is always empty, saying
// whether a value is stored (with a box to remove it) or was entered in a
// post that was not saved (posted back sealed, in a hidden field).
func TestSecretSettingField(t *testing.T) {
	tests := []struct {
		name        string
		more        MonitorFormMore
		placeholder string
		hint        string
		removeBox   bool
		entered     string
	}{
		{"new", MonitorFormMore{}, "", "Stored encrypted and never shown again.", false, ""},
		{"stored", MonitorFormMore{SecretsSet: map[string]bool{"password": true}},
			"stored — leave empty to keep it", "A value is stored and never shown: leave empty to keep it.", true, ""},
		{"entered in a failed save", MonitorFormMore{SecretsSet: map[string]bool{"password": true}, SecretsEntered: map[string]string{"password": "sealed:v1:abc"}},
			"entered — leave empty to use it", "The value you entered is kept but not shown", false, "sealed:v1:abc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, MonitorFormPageWith(secretForm(tc.more)))
			if strings.Contains(out, "plain-in-props") {
				t.Fatal("the secret's value from the props is in the page")
			}
			doc := parse(t, out)
			named := func(name string) []*html.Node {
				return findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == name })
			}
			in := named("settings.password")
			if len(in) != 1 {
				t.Fatalf("%d settings.password inputs, want 1", len(in))
			}
			for key, want := range map[string]string{"type": "password", "autocomplete": "new-password", "value": "", "placeholder": tc.placeholder} {
				if got, _ := attr(in[0], key); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			if hint := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == hintID("settings.password") }); len(hint) != 1 || !strings.Contains(text(hint[0]), tc.hint) {
				t.Errorf("hint does not say %q", tc.hint)
			}
			if got := len(named("clear.settings.password")) == 1; got != tc.removeBox {
				t.Errorf("remove box shown: %v, want %v", got, tc.removeBox)
			}
			entered := named("entered.settings.password")
			if tc.entered == "" && len(entered) != 0 || tc.entered != "" && (len(entered) != 1 || attrOf(entered[0], "value") != tc.entered || attrOf(entered[0], "type") != "hidden") {
				t.Errorf("entered field %v, want value %q", entered, tc.entered)
			}
			if user := named("settings.username"); len(user) != 1 || attrOf(user[0], "value") != "vigil" {
				t.Error("the username setting is not shown as typed")
			}
		})
	}
}

// TestMonitorFormMoreFields: tags, min_failed_locations and depends_on
// (offering the monitors' names) show what MonitorFormMore holds.
func TestMonitorFormMoreFields(t *testing.T) {
	p := sampleForm()
	p.Values.DependsOn = "Parent, EU"
	more := MonitorFormMore{Tags: "web, eu", MinFailedLocations: "2",
		Monitors: []Option{{Value: "Parent, EU", Label: "Parent, EU", Hint: "tcp · db:1"}, {Value: "web", Label: "web"}}}
	doc := parse(t, render(t, MonitorFormPageWith(p, more)))
	value := func(name string) string {
		in := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == name })
		if len(in) != 1 {
			t.Fatalf("%d %s inputs, want 1", len(in), name)
		}
		return attrOf(in[0], "value")
	}
	for name, want := range map[string]string{"tags": "web, eu", "min_failed_locations": "2", "depends_on": "Parent, EU"} {
		if got := value(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	options := findAll(doc, func(n *html.Node) bool { return n.Data == "option" && n.Parent != nil && n.Parent.Data == "datalist" })
	if len(options) != 2 || attrOf(options[0], "value") != "Parent, EU" {
		t.Errorf("depends_on offers %d names", len(options))
	}
	hint := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == hintID("min_failed_locations") })
	if len(hint) != 1 || !strings.Contains(text(hint[0]), "From how many locations a check must fail before the monitor is in problem") {
		t.Error("min_failed_locations lacks its hint")
	}
}

func attrOf(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}
