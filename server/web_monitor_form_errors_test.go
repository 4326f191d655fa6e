package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSettingFieldError(t *testing.T) {
	tests := []struct {
		inner, msg       string
		wantField, shown string
	}{
		{"slow_queries_warning_percent", "slow_queries_warning_percent: must be a number",
			"settings.slow_queries_warning_percent", "Slow queries warning (%): must be a number"},
		{"expected_status", "must be a status code or a range such as 200-299",
			"settings.expected_status", "Expected status: must be a status code or a range such as 200-299"},
		{"oids[0].oid", `"abc" is not a numeric OID`, "settings.oids", `OIDs[0].oid: "abc" is not a numeric OID`},
		{"oids", "is required: a list of objects", "settings.oids", "OIDs: is required: a list of objects"},
		{"steps[2].form.csrf", "unknown field", "settings.steps", "Steps[2].form.csrf: unknown field"},
		{"password", "settings.password must be a string", "settings.password", "Password: must be a string"},
		{"tls_verify", "target now points to another host, so the stored password is not sent there",
			"settings.tls_verify", "TLS verify: target now points to another host, so the stored password is not sent there"},
		{"cert_expiry_warning_days", "cert_expiry_warning_days has at most 3 digits",
			"settings.cert_expiry_warning_days", "Certificate expiry warning (days): has at most 3 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.inner, func(t *testing.T) {
			field, shown := settingFieldError(tt.inner, tt.msg)
			if field != tt.wantField || shown != tt.shown {
				t.Errorf("settingFieldError(%q, %q) = %q, %q; want %q, %q", tt.inner, tt.msg, field, shown, tt.wantField, tt.shown)
			}
		})
	}
}

// TestWebFormNamesSettingsByLabel posts settings the form cannot use: the
// error beside each names the setting as its label does, while the API
// keeps naming it by its key.
func TestWebFormNamesSettingsByLabel(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	tests := []struct {
		name     string
		form     url.Values
		field    string // beside which the error shows
		want     string
		apiBody  map[string]any
		apiError string // the API's message for the same mistake
	}{
		{"a number that is none", url.Values{"type": {"mysql"}, "target": {"127.0.0.1:3306"},
			"settings.username": {"probe"}, "settings.slow_queries_warning_percent": {"five"}},
			"settings.slow_queries_warning_percent", "Slow queries warning (%): must be a number",
			map[string]any{"type": "mysql", "target": "127.0.0.1:3306", "settings": map[string]any{"username": "probe", "slow_queries_warning_percent": "five"}},
			"settings.slow_queries_warning_percent"},
		{"a field inside a JSON setting", url.Values{"type": {"snmp"}, "target": {"127.0.0.1:161"}, "settings.community": {"public"},
			"settings.oids": {`[{"oid":"1.3.6.1.2.1.1.3.0","name":"uptime"},{"oid":"sysName","name":"n"}]`}},
			"settings.oids", `OIDs[1].oid: &#34;sysName&#34; is not a numeric OID`,
			map[string]any{"type": "snmp", "target": "127.0.0.1:161", "settings": map[string]any{"community": "public", "oids": []map[string]string{
				{"oid": "1.3.6.1.2.1.1.3.0", "name": "uptime"}, {"oid": "sysName", "name": "n"}}}},
			"settings.oids[1].oid"},
	}
	tok := ts.token(t, "admin")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", csrf)
			tt.form.Set("name", "probe")
			resp, page := b.post("/monitors", tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400:\n%s", resp.StatusCode, page)
			}
			if got := errorBeside(page, tt.field); !strings.HasPrefix(got, tt.want) {
				t.Errorf("beside %s: %q, want it to start %q", tt.field, got, tt.want)
			}
			tt.apiBody["name"] = "probe"
			raw := string(ts.call(t, tok, "POST", "/api/v1/monitors", tt.apiBody, http.StatusBadRequest, nil))
			if !strings.Contains(raw, `"field":"`+tt.apiError+`"`) || !strings.Contains(raw, tt.apiError+":") {
				t.Errorf("API error %s: want it to name %s by its key", raw, tt.apiError)
			}
		})
	}
}
