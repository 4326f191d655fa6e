package notify

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRegistryComplete keeps the registry, the doc pages and the
// validation tables in step: every type needs a page under
// docs/notifications naming each of its settings, secrets marked as such,
// and a table in validationCases.
func TestRegistryComplete(t *testing.T) {
	want := []string{"email", "ntfy", "slack", "sms", "voice", "webhook"}
	var names []string
	for _, typ := range Types() {
		names = append(names, typ.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("registered types %v, want %v", names, want)
	}
	for _, typ := range Types() {
		t.Run(typ.Name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "notifications", typ.Name+".md"))
			if err != nil {
				t.Fatalf("no doc page: %v", err)
			}
			page := string(raw)
			if !strings.Contains(page, "POST /api/v1/contacts") {
				t.Errorf("doc page has no API example")
			}
			for _, s := range typ.Settings {
				row := docRow(page, s.Name)
				if row == "" {
					t.Errorf("doc page has no table row for setting `%s`", s.Name)
				}
				if s.Secret && !strings.Contains(row, "write-only, encrypted at rest") {
					t.Errorf("doc page does not mark secret setting `%s` as write-only, encrypted at rest", s.Name)
				}
				if s.Help == "" {
					t.Errorf("setting %s has no help", s.Name)
				}
				if s.Kind == "enum" && len(s.Options) == 0 {
					t.Errorf("enum setting %s has no options", s.Name)
				}
			}
			if len(validationCases[typ.Name]) == 0 {
				t.Errorf("no validation table in validationCases")
			}
		})
	}
}

// docRow is the settings-table row of a doc page that starts with the
// setting's name, or "".
func docRow(page, name string) string {
	for line := range strings.Lines(page) {
		if strings.HasPrefix(line, "| `"+name+"` |") {
			return line
		}
	}
	return ""
}

type validationCase struct {
	name     string
	settings string
	field    string // the field the error names; "" when valid
}

var twilioOK = `"account_sid":"AC0123456789abcdef0123456789abcdef","auth_token":"tok-SECRET-1","from":"+14155550100"`

var twilioCases = []validationCase{
	{"one number", `{` + twilioOK + `,"to":"+4915112345678"}`, ""},
	{"list of numbers", `{` + twilioOK + `,"to":["+4915112345678","+14155550123"]}`, ""},
	{"no numbers", `{` + twilioOK + `}`, "settings.to"},
	{"empty list", `{` + twilioOK + `,"to":[]}`, "settings.to"},
	{"blank number", `{` + twilioOK + `,"to":["  "]}`, "settings.to"},
	{"national number", `{` + twilioOK + `,"to":"015112345678"}`, "settings.to"},
	{"number with spaces", `{` + twilioOK + `,"to":"+49 151 12345678"}`, "settings.to"},
	{"number too long", `{` + twilioOK + `,"to":"+1234567890123456"}`, "settings.to"},
	{"too many numbers", `{` + twilioOK + `,"to":["+10000000001","+10000000002","+10000000003","+10000000004","+10000000005","+10000000006","+10000000007","+10000000008","+10000000009","+10000000010","+10000000011"]}`, "settings.to"},
	{"to is a number", `{` + twilioOK + `,"to":4915112345678}`, "settings.to"},
	{"bad from", `{"account_sid":"AC0123456789abcdef0123456789abcdef","auth_token":"tok-SECRET-1","from":"Vigil","to":"+4915112345678"}`, "settings.from"},
	{"bad sid", `{"account_sid":"SK0123","auth_token":"tok-SECRET-1","from":"+14155550100","to":"+4915112345678"}`, "settings.account_sid"},
	{"no token", `{"account_sid":"AC0123456789abcdef0123456789abcdef","from":"+14155550100","to":"+4915112345678"}`, "settings.auth_token"},
	{"token with a line break", `{"account_sid":"AC0123456789abcdef0123456789abcdef","auth_token":"tok-SECRET-1\n","from":"+14155550100","to":"+4915112345678"}`, "settings.auth_token"},
	{"unknown field", `{` + twilioOK + `,"to":"+4915112345678","api_key":"x"}`, "settings.api_key"},
}

// validationCases are the settings each type accepts and refuses. Every
// refusal must name the field; no error may repeat a secret
// (values containing "SECRET").
var validationCases = map[string][]validationCase{
	"email": {
		{"one address (CONTRACT.md)", `{"to":"a@b.example"}`, ""},
		{"list with display name", `{"to":["a@b.example","Alice <alice@example.com>"],"subject_prefix":"[ops]"}`, ""},
		{"no prefix", `{"to":"a@b.example","subject_prefix":""}`, ""},
		{"missing to", `{}`, "settings.to"},
		{"empty list", `{"to":[]}`, "settings.to"},
		{"not an address", `{"to":"alice"}`, "settings.to"},
		{"one bad in a list", `{"to":["a@b.example","a@@b"]}`, "settings.to"},
		{"header injection", `{"to":"a@b.example\r\nBcc: x@evil.example"}`, "settings.to"},
		{"too many", `{"to":["1@x.example","2@x.example","3@x.example","4@x.example","5@x.example","6@x.example","7@x.example","8@x.example","9@x.example","10@x.example","11@x.example","12@x.example","13@x.example","14@x.example","15@x.example","16@x.example","17@x.example","18@x.example","19@x.example","20@x.example","21@x.example"]}`, "settings.to"},
		{"prefix with a line break", `{"to":"a@b.example","subject_prefix":"[x]\r\nBcc: y@evil.example"}`, "settings.subject_prefix"},
		{"unknown field", `{"to":"a@b.example","cc":"c@d.example"}`, "settings.cc"},
		{"not an object", `["a@b.example"]`, "settings"},
	},
	"webhook": {
		{"url only", `{"url":"https://example.com/hook"}`, ""},
		{"everything", `{"url":"http://10.0.0.5:8080/hook","secret":"SECRET-s","authorization":"Bearer SECRET-t","headers":{"X-Team":"web"},"method":"patch","content_type":"application/vnd.api+json"}`, ""},
		{"missing url", `{}`, "settings.url"},
		{"ftp url", `{"url":"ftp://example.com/x"}`, "settings.url"},
		{"relative url", `{"url":"/hook"}`, "settings.url"},
		{"url without host", `{"url":"https:///hook"}`, "settings.url"},
		{"credentials in url", `{"url":"https://user:SECRET-p@example.com/hook"}`, "settings.url"},
		{"GET", `{"url":"https://example.com/hook","method":"GET"}`, "settings.method"},
		{"header name with space", `{"url":"https://example.com/hook","headers":{"X Team":"web"}}`, "settings.headers"},
		{"header value with CRLF", `{"url":"https://example.com/hook","headers":{"X-Team":"web\r\nX-Evil: 1"}}`, "settings.headers"},
		{"reserved header", `{"url":"https://example.com/hook","headers":{"x-vigil-signature":"forged"}}`, "settings.headers"},
		{"authorization in headers", `{"url":"https://example.com/hook","headers":{"Authorization":"Bearer SECRET-h"}}`, "settings.headers"},
		{"authorization with CRLF", `{"url":"https://example.com/hook","authorization":"Bearer SECRET-a\r\nX-Evil: 1"}`, "settings.authorization"},
		{"headers not a map", `{"url":"https://example.com/hook","headers":["X-Team: web"]}`, "settings.headers"},
		{"bad content type", `{"url":"https://example.com/hook","content_type":"json please"}`, "settings.content_type"},
		{"content type with CRLF", `{"url":"https://example.com/hook","content_type":"text/plain\r\nX-Evil: 1"}`, "settings.content_type"},
		{"template does not parse", `{"url":"https://example.com/hook","body_template":"{{.Summary"}`, "settings.body_template"},
		{"unknown field", `{"url":"https://example.com/hook","timeout":"5s"}`, "settings.timeout"},
	},
	"slack": {
		{"url", `{"webhook_url":"https://hooks.slack.com/services/T0/B0/SECRETxyz"}`, ""},
		{"missing", `{}`, "settings.webhook_url"},
		{"not http", `{"webhook_url":"hooks.slack.com/services/T0/B0/SECRETxyz"}`, "settings.webhook_url"},
		{"unknown field", `{"webhook_url":"https://hooks.slack.com/services/T0/B0/SECRETxyz","channel":"#ops"}`, "settings.channel"},
	},
	"sms":   twilioCases,
	"voice": twilioCases,
	"ntfy": {
		{"topic", `{"url":"https://ntfy.sh/vigil-ops"}`, ""},
		{"token and priority", `{"url":"https://ntfy.example.com/ops","token":"tk_SECRET","priority":"HIGH"}`, ""},
		{"no topic", `{"url":"https://ntfy.sh/"}`, "settings.url"},
		{"missing url", `{"priority":"high"}`, "settings.url"},
		{"bad priority", `{"url":"https://ntfy.sh/x","priority":"urgent!"}`, "settings.priority"},
		{"token with a line break", `{"url":"https://ntfy.sh/x","token":"tk_SECRET\r\nX: y"}`, "settings.token"},
		{"unknown field", `{"url":"https://ntfy.sh/x","tags":"warning"}`, "settings.tags"},
	},
}

func TestSettingsValidation(t *testing.T) {
	for kind, cases := range validationCases {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				n, err := New(kind, json.RawMessage(tc.settings), Env{})
				if tc.field == "" {
					if err != nil || n == nil {
						t.Fatalf("valid settings refused: %v", err)
					}
					return
				}
				var se *SettingError
				if !errors.As(err, &se) {
					t.Fatalf("error %v (%T), want a *SettingError naming %s", err, err, tc.field)
				}
				if se.Field != tc.field {
					t.Errorf("error names %q, want %q: %v", se.Field, tc.field, err)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error repeats a secret: %v", err)
				}
			})
		}
	}
}

func TestNewUnknownTypeAndEmptySettings(t *testing.T) {
	var se *SettingError
	if _, err := New("pager", nil, Env{}); !errors.As(err, &se) || se.Field != "type" {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := New("email", nil, Env{}); !errors.As(err, &se) || se.Field != "settings.to" {
		t.Errorf("nil settings: %v", err)
	}
}

func TestSecretNames(t *testing.T) {
	want := map[string][]string{
		"email": nil, "webhook": {"secret", "authorization"}, "slack": {"webhook_url"},
		"sms": {"auth_token"}, "voice": {"auth_token"}, "ntfy": {"token"},
	}
	for kind, names := range want {
		typ, ok := Lookup(kind)
		if !ok || !slices.Equal(typ.SecretNames(), names) {
			t.Errorf("%s: SecretNames() = %v, want %v", kind, typ.SecretNames(), names)
		}
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a second registration of email did not panic")
		}
	}()
	Register(Type{Name: "email", Title: "again", New: newEmail})
}
