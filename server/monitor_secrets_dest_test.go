package server

import (
	"encoding/json"
	"testing"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

func TestMonitorMovedTo(t *testing.T) {
	typ := checks.Type{Name: "x", Settings: []checks.Setting{{Name: "password", Secret: true}, {Name: "steps"}, {Name: "port"},
		{Name: "tls", Default: "preferred"}, {Name: "tls_verify_chain", Default: "true"}, {Name: "ca_file"},
		{Name: "allow_plaintext_login", Default: "false"}, {Name: "server_name"}, {Name: "query", Guard: true, Default: "SELECT 1"}}}
	tests := []struct {
		name                         string
		oldTarget, oldSettings       string
		newTarget, newSettings, want string
	}{
		{"nothing changed", "db.example:3306", `{}`, "db.example:3306", `{}`, ""},
		{"another host", "db.example:3306", `{}`, "evil.example:3306", `{}`, "target"},
		{"another port", "db.example:3306", `{}`, "db.example:3307", `{}`, "target"},
		{"case and the root's dot", "db.example:3306", `{}`, "DB.Example.:3306", `{}`, ""},
		{"IPv6 brackets", "[2001:db8::1]:161", `{}`, "[2001:DB8::1]:161", `{}`, ""},
		{"a port added to a bare host", "mail.example", `{}`, "mail.example:25", `{}`, "target"},
		{"URL path only", "https://app.example/login", `{}`, "https://app.example/v2/login?x=1", `{}`, ""},
		{"URL default port made explicit", "https://app.example/", `{}`, "HTTPS://APP.EXAMPLE:443/", `{}`, ""},
		{"URL scheme", "https://app.example/", `{}`, "http://app.example/", `{}`, "target"},
		{"a step to a new host", "https://app.example/", `{"steps":[{"url":"/login"}]}`,
			"https://app.example/", `{"steps":[{"url":"/login"},{"url":"https://evil.example/x"}]}`, "settings.steps"},
		{"steps reordered, same hosts", "https://app.example/", `{"steps":[{"url":"https://a.example/"},{"url":"https://b.example/"}]}`,
			"https://app.example/", `{"steps":[{"url":"https://b.example/2"},{"url":"https://a.example/1"}]}`, ""},
		{"a nested host member", "h:1", `{"steps":{"db":{"host":"a.example"}}}`, "h:1", `{"steps":{"db":{"host":"b.example"}}}`, "settings.steps"},
		{"a port setting", "h", `{"port":25}`, "h", `{"port":2525}`, "settings.port"},
		{"a secret is no place", "h:1", `{"password":"https://a.example/"}`, "h:1", `{"password":"https://evil.example/"}`, ""},
		{"a destination removed", "h:1", `{"steps":[{"url":"https://a.example/"}]}`, "h:1", `{}`, ""},
		{"TLS turned off", "mail.example:587", `{"tls":"starttls"}`, "mail.example:587", `{"tls":"none"}`, "settings.tls"},
		{"verification turned off", "h:1", `{"tls_verify_chain":true}`, "h:1", `{"tls_verify_chain":false}`, "settings.tls_verify_chain"},
		{"another CA trusted", "h:1", `{}`, "h:1", `{"ca_file":"/tmp/evil.pem"}`, "settings.ca_file"},
		{"plain-text login allowed", "h:1", `{"allow_plaintext_login":false}`, "h:1", `{"allow_plaintext_login":true}`, "settings.allow_plaintext_login"},
		{"protection unchanged", "h:1", `{"tls":"tls","server_name":"h"}`, "h:1", `{"server_name":"h","tls":"tls"}`, ""},
		{"an empty protection setting is no change", "h:1", `{}`, "h:1", `{"tls":""}`, ""},
		{"a protection setting removed", "db:3306", `{"tls":"verify_identity"}`, "db:3306", `{}`, "settings.tls"},
		{"a protection setting set to null", "db:3306", `{"tls":"verify_identity"}`, "db:3306", `{"tls":null}`, "settings.tls"},
		{"the default written out is no change", "db:3306", `{}`, "db:3306", `{"tls":"preferred","tls_verify_chain":true}`, ""},
		{"a guarded setting by the type's mark", "db:3306", `{}`, "db:3306", `{"query":"SELECT GET_LOCK('l',0)"}`, "settings.query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := &store.Monitor{Type: "x", Target: tt.oldTarget, Settings: json.RawMessage(tt.oldSettings)}
			fields, err := settingsObject(json.RawMessage(tt.newSettings))
			if err != nil {
				t.Fatal(err)
			}
			if got := monitorMovedTo(typ, old, tt.newTarget, fields); got != tt.want {
				t.Errorf("monitorMovedTo = %q, want %q", got, tt.want)
			}
		})
	}
	if got := monitorMovedTo(typ, nil, "evil.example:1", nil); got != "" {
		t.Errorf("a new monitor moved through %q", got)
	}
}

// FuzzMonitorMovedTo: any settings, however hostile, are walked without a
// panic, and settings compared with themselves never move.
func FuzzMonitorMovedTo(f *testing.F) {
	for _, s := range []string{`{}`, `{"steps":[{"url":"https://a/"}]}`, `{"port":1,"x":{"host":"h"}}`, `{"a":[[[[{"server":"s"}]]]]}`} {
		f.Add("h:1", s)
	}
	typ := checks.Type{Name: "x", Settings: []checks.Setting{{Name: "password", Secret: true}}}
	f.Fuzz(func(t *testing.T, target, settings string) {
		fields, err := settingsObject(json.RawMessage(settings))
		if err != nil {
			return
		}
		old := &store.Monitor{Type: "x", Target: target, Settings: json.RawMessage(settings)}
		if got := monitorMovedTo(typ, old, target, fields); got != "" {
			t.Errorf("unchanged settings moved through %q", got)
		}
	})
}

func TestNewAgentLocation(t *testing.T) {
	old := &store.Monitor{Locations: []string{"server", "3"}}
	tests := []struct {
		name      string
		old       *store.Monitor
		locations []string
		want      string
	}{
		{"same", old, []string{"3", "server"}, ""},
		{"fewer", old, []string{"server"}, ""},
		{"an agent added", old, []string{"server", "3", "4"}, "locations"},
		{"an agent swapped", old, []string{"4"}, "locations"},
		{"a new monitor", nil, []string{"4"}, ""},
	}
	for _, tt := range tests {
		if got := newAgentLocation(tt.old, tt.locations); got != tt.want {
			t.Errorf("%s: newAgentLocation = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidAgentNameRefusesDigitsOnly(t *testing.T) {
	for name, ok := range map[string]bool{"7": false, " 42 ": false, "web7": true, "7-eleven": true} {
		_, err := validAgentName(name)
		if (err == nil) != ok {
			t.Errorf("validAgentName(%q) err = %v, want ok %v", name, err, ok)
		}
	}
}
