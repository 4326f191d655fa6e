package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/internal/seal"
)

func TestAPISMTPSettings(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	const secret = "hunter2-smtp-secret"

	var out smtpOutput
	ts.call(t, admin, "GET", "/api/v1/settings/smtp", nil, http.StatusOK, &out)
	if out.Configured || out.PasswordSet || out.TLS != "starttls" || out.Port != 587 {
		t.Fatalf("before the first PUT: %+v, want the defaults, not configured", out)
	}

	t.Run("each bad field is named", func(t *testing.T) {
		base := `"host":"smtp.example.com","from":"vigil@example.com"`
		cases := []struct{ name, body, field string }{
			{"no host", `{"from":"vigil@example.com"}`, "host"},
			{"host with a scheme", `{"host":"smtp://mail.example.com","from":"vigil@example.com"}`, "host"},
			{"host with a port", `{"host":"mail.example.com:25","from":"vigil@example.com"}`, "host"},
			{"port 0", `{` + base + `,"port":0}`, "port"},
			{"port too big", `{` + base + `,"port":65536}`, "port"},
			{"port not a number", `{` + base + `,"port":"25"}`, "port"},
			{"from not an address", `{"host":"smtp.example.com","from":"vigil"}`, "from"},
			{"no from", `{"host":"smtp.example.com"}`, "from"},
			{"tls unknown", `{` + base + `,"tls":"ssl"}`, "tls"},
			{"unknown field", `{` + base + `,"helo":"x"}`, "helo"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var e errorBody
				ts.call(t, admin, "PUT", "/api/v1/settings/smtp", c.body, http.StatusBadRequest, &e)
				if e.Field != c.field || e.Error == "" {
					t.Errorf("error %+v, want field %q", e, c.field)
				}
			})
		}
		ts.call(t, admin, "GET", "/api/v1/settings/smtp", nil, http.StatusOK, &out)
		if out.Configured {
			t.Error("an invalid PUT was stored")
		}
	})

	body := `{"host":"smtp.example.com","port":2525,"username":"vigil","password":"` + secret + `","from":"Vigil <vigil@example.com>","tls":"tls"}`
	raw := string(ts.call(t, admin, "PUT", "/api/v1/settings/smtp", body, http.StatusOK, &out))
	if !out.Configured || !out.PasswordSet || out.Port != 2525 || out.TLS != "tls" || out.Username != "vigil" || out.UpdatedAt == nil {
		t.Errorf("after PUT: %+v", out)
	}
	stored, err := ts.db.SMTPSettings()
	if err != nil {
		t.Fatal(err)
	}
	if !seal.IsSealed(stored.Password) || strings.Contains(stored.Password, secret) {
		t.Errorf("stored password %q is not sealed", stored.Password)
	}
	if plain, err := ts.seal.Open(stored.Password, sealSMTPPassword); err != nil || plain != secret {
		t.Errorf("stored password opens to %q, %v", plain, err)
	}
	get := string(ts.call(t, admin, "GET", "/api/v1/settings/smtp", nil, http.StatusOK, nil))

	// A PUT without the password, or with null, keeps it; "" clears it.
	ts.call(t, admin, "PUT", "/api/v1/settings/smtp", `{"username":"vigil2"}`, http.StatusOK, &out)
	if !out.PasswordSet || out.Host != "smtp.example.com" || out.Port != 2525 || out.Username != "vigil2" {
		t.Errorf("PUT of the username alone: %+v, want the rest kept", out)
	}
	ts.call(t, admin, "PUT", "/api/v1/settings/smtp", `{"password":null}`, http.StatusOK, &out)
	if !out.PasswordSet {
		t.Error("password null removed the password")
	}
	ts.call(t, admin, "PUT", "/api/v1/settings/smtp", `{"password":""}`, http.StatusOK, &out)
	if out.PasswordSet {
		t.Error(`password "" kept the password`)
	}
	mustNotContain(t, secret, raw, get, ts.auditText(t, admin))
	if !strings.Contains(ts.auditText(t, admin), "settings.smtp") {
		t.Error("the change is not in the audit log")
	}

	t.Run("roles", func(t *testing.T) {
		editor := ts.addUser(t, "eddie", "editor")
		ts.call(t, editor, "GET", "/api/v1/settings/smtp", nil, http.StatusForbidden, nil)
		ts.call(t, editor, "PUT", "/api/v1/settings/smtp", `{"port":25}`, http.StatusForbidden, nil)
		ts.call(t, editor, "POST", "/api/v1/settings/smtp/test", `{"to":"a@example.com"}`, http.StatusForbidden, nil)
	})
}

func TestAPISMTPTestEmail(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	var e errorBody
	ts.call(t, admin, "POST", "/api/v1/settings/smtp/test", `{"to":"ops@example.com"}`, http.StatusConflict, &e)

	sink := newMailSink(t)
	ts.call(t, admin, "PUT", "/api/v1/settings/smtp",
		`{"host":"127.0.0.1","port":`+strconv.Itoa(sink.port)+`,"from":"vigil@example.com","tls":"none"}`, http.StatusOK, nil)
	ts.call(t, admin, "POST", "/api/v1/settings/smtp/test", `{"to":"nobody"}`, http.StatusBadRequest, &e)
	if e.Field != "to" {
		t.Errorf("bad address: field %q, want to", e.Field)
	}
	var res map[string]string
	ts.call(t, admin, "POST", "/api/v1/settings/smtp/test", `{"to":"ops@example.com"}`, http.StatusOK, &res)
	to, data := sink.received()
	if res["result"] != "sent" || len(to) != 1 || to[0] != "ops@example.com" || !strings.Contains(data[0], "From: <vigil@example.com>") {
		t.Errorf("result %v; the mail server got %v: %v", res, to, data)
	}

	// A mail server that is not there: 502 with what went wrong.
	ts.call(t, admin, "PUT", "/api/v1/settings/smtp", `{"port":1}`, http.StatusOK, nil)
	ts.call(t, admin, "POST", "/api/v1/settings/smtp/test", `{"to":"ops@example.com"}`, http.StatusBadGateway, &e)
	if !strings.Contains(e.Error, "127.0.0.1:1") {
		t.Errorf("error %q does not say which server failed", e.Error)
	}
}

// contactOut is a contact as the API answers it.
type contactOut struct {
	ID         string
	Name       string
	Type       string
	Settings   map[string]any
	SecretsSet []string `json:"secrets_set"`
	Groups     []string
}

func TestAPIContacts(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	hook := newHookReceiver(t)
	const secret = "whsec-very-secret-1234"

	body := `{"name":"Ticket desk","type":"webhook","settings":{"url":"` + hook.URL + `/hook","secret":"` + secret + `"}}`
	var c contactOut
	created := string(ts.call(t, admin, "POST", "/api/v1/contacts", body, http.StatusCreated, &c))
	if c.ID == "" || c.Name != "Ticket desk" || c.Type != "webhook" || c.Settings["url"] != hook.URL+"/hook" ||
		len(c.SecretsSet) != 1 || c.SecretsSet[0] != "secret" || c.Settings["secret"] != nil {
		t.Fatalf("created %s", created)
	}
	stored, err := ts.db.Contact(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored.Settings), secret) || !strings.Contains(string(stored.Settings), "sealed:") {
		t.Errorf("stored settings %s: the secret is not sealed", stored.Settings)
	}

	t.Run("each bad field is named", func(t *testing.T) {
		cases := []struct {
			name, body, field string
			want              int
		}{
			{"no name", `{"type":"webhook","settings":{"url":"https://x.example"}}`, "name", 400},
			{"unknown type", `{"name":"x","type":"pigeon"}`, "type", 400},
			{"bad url", `{"name":"x","type":"webhook","settings":{"url":"ftp://x"}}`, "settings.url", 400},
			{"no url", `{"name":"x","type":"webhook","settings":{}}`, "settings.url", 400},
			{"unknown setting", `{"name":"x","type":"webhook","settings":{"url":"https://x.example","colour":"red"}}`, "settings.colour", 400},
			{"secret not a string", `{"name":"x","type":"webhook","settings":{"url":"https://x.example","secret":7}}`, "settings.secret", 400},
			{"settings not an object", `{"name":"x","type":"webhook","settings":[1]}`, "settings", 400},
			{"bad email", `{"name":"x","type":"email","settings":{"to":"nobody"}}`, "settings.to", 400},
			{"taken name", `{"name":"TICKET DESK","type":"email","settings":{"to":"a@example.com"}}`, "name", 409},
			{"unknown field", `{"name":"x","type":"email","colour":"red"}`, "colour", 400},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var e errorBody
				ts.call(t, admin, "POST", "/api/v1/contacts", tc.body, tc.want, &e)
				if e.Field != tc.field || e.Error == "" {
					t.Errorf("error %+v, want field %q", e, tc.field)
				}
			})
		}
	})

	list := string(ts.call(t, admin, "GET", "/api/v1/contacts", nil, http.StatusOK, nil))
	one := string(ts.call(t, admin, "GET", "/api/v1/contacts/"+c.ID, nil, http.StatusOK, nil))
	ts.call(t, admin, "GET", "/api/v1/contacts/999", nil, http.StatusNotFound, nil)

	t.Run("a PUT without the secret keeps it", func(t *testing.T) {
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"name":"Desk"}`, http.StatusOK, &c)
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"settings":{"url":"`+hook.URL+`/v2"}}`, http.StatusOK, &c)
		if c.Name != "Desk" || c.Settings["url"] != hook.URL+"/v2" || len(c.SecretsSet) != 1 {
			t.Fatalf("after PUTs: %+v", c)
		}
		if got := ts.openContactSecret(t, c.ID, "secret"); got != secret {
			t.Errorf("secret now %q, want it kept", got)
		}
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"settings":{"url":"`+hook.URL+`/v2","secret":null}}`, http.StatusOK, &c)
		if len(c.SecretsSet) != 1 {
			t.Error("secret null removed it")
		}
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"settings":{"url":"`+hook.URL+`/v2","secret":""}}`, http.StatusOK, &c)
		if len(c.SecretsSet) != 0 {
			t.Error(`secret "" kept it`)
		}
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"settings":{"url":"`+hook.URL+`/v2","secret":"`+secret+`"}}`, http.StatusOK, &c)
		ts.call(t, admin, "PUT", "/api/v1/contacts/"+c.ID, `{"settings":{"url":"nope"}}`, http.StatusBadRequest, nil)
		ts.call(t, admin, "PUT", "/api/v1/contacts/404", `{"name":"x"}`, http.StatusNotFound, nil)
	})

	t.Run("test message", func(t *testing.T) {
		var res map[string]string
		ts.call(t, admin, "POST", "/api/v1/contacts/"+c.ID+"/test", nil, http.StatusOK, &res)
		got := hook.received()
		if res["result"] != "sent" || len(got) != 1 || got[0]["event"] != "test" {
			t.Fatalf("result %v, webhook got %v", res, got)
		}
		hook.status.Store(http.StatusServiceUnavailable)
		var e errorBody
		ts.call(t, admin, "POST", "/api/v1/contacts/"+c.ID+"/test", nil, http.StatusBadGateway, &e)
		if !strings.Contains(e.Error, "503") {
			t.Errorf("error %q does not say what the provider answered", e.Error)
		}
		ts.call(t, admin, "POST", "/api/v1/contacts/999/test", nil, http.StatusNotFound, nil)
	})

	t.Run("roles", func(t *testing.T) {
		viewer := ts.addUser(t, "vera", "viewer")
		editor := ts.addUser(t, "eddie", "editor")
		ts.call(t, viewer, "GET", "/api/v1/contacts", nil, http.StatusOK, nil)
		ts.call(t, viewer, "POST", "/api/v1/contacts", `{}`, http.StatusForbidden, nil)
		ts.call(t, viewer, "PUT", "/api/v1/contacts/"+c.ID, `{}`, http.StatusForbidden, nil)
		ts.call(t, viewer, "DELETE", "/api/v1/contacts/"+c.ID, nil, http.StatusForbidden, nil)
		ts.call(t, viewer, "POST", "/api/v1/contacts/"+c.ID+"/test", nil, http.StatusForbidden, nil)
		ts.call(t, editor, "POST", "/api/v1/contacts", `{"name":"Ops","type":"email","settings":{"to":"ops@example.com"}}`, http.StatusCreated, nil)
		ts.call(t, "", "GET", "/api/v1/contacts", nil, http.StatusUnauthorized, nil)
	})

	mustNotContain(t, secret, created, list, one, ts.auditText(t, admin),
		string(ts.call(t, admin, "GET", "/api/v1/contacts", nil, http.StatusOK, nil)))
	if !strings.Contains(ts.auditText(t, admin), `"(set)"`) {
		t.Error("the audit log does not show the secret as (set)")
	}

	ts.call(t, admin, "DELETE", "/api/v1/contacts/"+c.ID, nil, http.StatusNoContent, nil)
	ts.call(t, admin, "GET", "/api/v1/contacts/"+c.ID, nil, http.StatusNotFound, nil)
	ts.call(t, admin, "DELETE", "/api/v1/contacts/"+c.ID, nil, http.StatusNotFound, nil)
}

// openContactSecret opens a contact's stored secret setting.
func (ts *testServer) openContactSecret(t *testing.T, id, name string) string {
	t.Helper()
	c, err := ts.db.Contact(id)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	_ = json.Unmarshal(c.Settings, &fields)
	if fields[name] == "" {
		return ""
	}
	plain, err := ts.seal.Open(fields[name], sealContactSetting(name))
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// addContact creates an email contact through the API and returns its id.
func (ts *testServer) addContact(t *testing.T, token, name string) string {
	t.Helper()
	var c contactOut
	ts.call(t, token, "POST", "/api/v1/contacts", `{"name":"`+name+`","type":"email","settings":{"to":"`+strings.ToLower(strings.ReplaceAll(name, " ", "."))+`@example.com"}}`, http.StatusCreated, &c)
	return c.ID
}

func TestAPIGroups(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	dba := ts.addContact(t, tok, "Dana")

	var g groupOutput
	ts.call(t, tok, "POST", "/api/v1/contact-groups", `{"name":"DBAs","members":["dana","`+ops+`","Dana"]}`, http.StatusCreated, &g)
	if g.ID == "" || g.ID == ops || g.ID == dba || strings.Join(g.Members, ",") != dba+","+ops {
		t.Fatalf("group %+v: want members by id, each once, and an id no contact has", g)
	}
	cases := []struct {
		name, body, field string
		want              int
	}{
		{"no name", `{"members":[]}`, "name", 400},
		{"unknown member", `{"name":"x","members":["nobody"]}`, "members", 400},
		{"a group as member", `{"name":"x","members":["` + g.ID + `"]}`, "members", 400},
		{"taken name", `{"name":"dbas"}`, "name", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			ts.call(t, tok, "POST", "/api/v1/contact-groups", c.body, c.want, &e)
			if e.Field != c.field {
				t.Errorf("error %+v, want field %q", e, c.field)
			}
		})
	}
	ts.call(t, tok, "PUT", "/api/v1/contact-groups/"+g.ID, `{"members":["Ops"]}`, http.StatusOK, &g)
	if g.Name != "DBAs" || strings.Join(g.Members, ",") != ops {
		t.Errorf("after PUT: %+v", g)
	}
	var c contactOut
	ts.call(t, tok, "GET", "/api/v1/contacts/"+ops, nil, http.StatusOK, &c)
	if len(c.Groups) != 1 || c.Groups[0] != g.ID {
		t.Errorf("contact's groups %v, want [%s]", c.Groups, g.ID)
	}
	// Deleting a contact takes it out of its groups.
	ts.call(t, tok, "DELETE", "/api/v1/contacts/"+ops, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "GET", "/api/v1/contact-groups/"+g.ID, nil, http.StatusOK, &g)
	if len(g.Members) != 0 {
		t.Errorf("members %v after the contact was deleted", g.Members)
	}
	ts.call(t, tok, "GET", "/api/v1/contact-groups/404", nil, http.StatusNotFound, nil)
	ts.call(t, tok, "DELETE", "/api/v1/contact-groups/"+g.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "DELETE", "/api/v1/contact-groups/"+g.ID, nil, http.StatusNotFound, nil)
	viewer := ts.addUser(t, "vera", "viewer")
	ts.call(t, viewer, "GET", "/api/v1/contact-groups", nil, http.StatusOK, nil)
	ts.call(t, viewer, "POST", "/api/v1/contact-groups", `{"name":"x"}`, http.StatusForbidden, nil)
}

func TestAPIEscalationPolicies(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	ts.addContact(t, tok, "Dana")
	var g groupOutput
	ts.call(t, tok, "POST", "/api/v1/contact-groups", `{"name":"DBAs","members":["Dana"]}`, http.StatusCreated, &g)

	var p policyOutput
	body := `{"name":"Web on-call","steps":[{"after":"20m","targets":["DBAs"]},{"after":"0","targets":["Ops"]},{"after":"10m","targets":["dana","` + ops + `"]}]}`
	ts.call(t, tok, "POST", "/api/v1/escalation-policies", body, http.StatusCreated, &p)
	if len(p.Steps) != 3 || p.Steps[0].After != "0s" || p.Steps[1].After != "10m" || p.Steps[2].After != "20m" || p.Steps[2].Targets[0] != g.ID {
		t.Fatalf("policy %+v: want steps in order of delay, targets by id", p)
	}
	cases := []struct {
		name, body, field string
		want              int
	}{
		{"no name", `{"steps":[{"after":"0","targets":["Ops"]}]}`, "name", 400},
		{"no steps", `{"name":"x","steps":[]}`, "steps", 400},
		{"bad delay", `{"name":"x","steps":[{"after":"0","targets":["Ops"]},{"after":"soon","targets":["Ops"]}]}`, "steps.1.after", 400},
		{"negative delay", `{"name":"x","steps":[{"after":"-5m","targets":["Ops"]}]}`, "steps.0.after", 400},
		{"too late", `{"name":"x","steps":[{"after":"25h","targets":["Ops"]}]}`, "steps.0.after", 400},
		{"nobody", `{"name":"x","steps":[{"after":"0","targets":[]}]}`, "steps.0.targets", 400},
		{"unknown target", `{"name":"x","steps":[{"after":"0","targets":["Ops","ghost"]}]}`, "steps.0.targets", 400},
		{"taken name", `{"name":"WEB ON-CALL","steps":[{"after":"0","targets":["Ops"]}]}`, "name", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			ts.call(t, tok, "POST", "/api/v1/escalation-policies", c.body, c.want, &e)
			if e.Field != c.field {
				t.Errorf("error %+v, want field %q", e, c.field)
			}
		})
	}
	// A PUT's steps replace the old ones whole, not field by field.
	ts.call(t, tok, "PUT", "/api/v1/escalation-policies/"+p.ID, `{"steps":[{"targets":["Ops"]}]}`, http.StatusOK, &p)
	if len(p.Steps) != 1 || p.Steps[0].After != "0s" || p.Name != "Web on-call" {
		t.Errorf("after PUT: %+v, want one immediate step and the name kept", p)
	}
	ts.call(t, tok, "PUT", "/api/v1/escalation-policies/"+p.ID, `{"name":"Renamed"}`, http.StatusOK, &p)
	if len(p.Steps) != 1 || p.Name != "Renamed" {
		t.Errorf("after renaming: %+v, want the steps kept", p)
	}
	ts.call(t, tok, "GET", "/api/v1/escalation-policies/404", nil, http.StatusNotFound, nil)
	editor := ts.addUser(t, "eddie", "editor")
	viewer := ts.addUser(t, "vera", "viewer")
	ts.call(t, viewer, "DELETE", "/api/v1/escalation-policies/"+p.ID, nil, http.StatusForbidden, nil)
	ts.call(t, editor, "DELETE", "/api/v1/escalation-policies/"+p.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "GET", "/api/v1/escalation-policies/"+p.ID, nil, http.StatusNotFound, nil)
}

func TestAPINotifyRoutes(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	var p policyOutput
	ts.call(t, tok, "POST", "/api/v1/escalation-policies", `{"name":"Night","steps":[{"after":"0","targets":["Ops"]}]}`, http.StatusCreated, &p)

	var r routeOutput
	ts.call(t, tok, "POST", "/api/v1/notify-routes", `{"name":"Databases","tags":["db"," pg "],"notify":["ops"],"escalation":"night"}`, http.StatusCreated, &r)
	if strings.Join(r.Tags, ",") != "db,pg" || len(r.Notify) != 1 || r.Notify[0] != ops || r.Escalation != p.ID || r.AgentLabels == nil {
		t.Fatalf("route %+v", r)
	}
	cases := []struct {
		name, body, field string
		want              int
	}{
		{"no name", `{"tags":["db"],"notify":["Ops"]}`, "name", 400},
		{"matches nothing", `{"name":"x","notify":["Ops"]}`, "tags", 400},
		{"bad tag", `{"name":"x","tags":["a,b"],"notify":["Ops"]}`, "tags", 400},
		{"bad label", `{"name":"x","agent_labels":["a,b"],"notify":["Ops"]}`, "agent_labels", 400},
		{"does nothing", `{"name":"x","tags":["db"]}`, "notify", 400},
		{"unknown target", `{"name":"x","tags":["db"],"notify":["ghost"]}`, "notify", 400},
		{"unknown policy", `{"name":"x","tags":["db"],"escalation":"ghost"}`, "escalation", 400},
		{"taken name", `{"name":"databases","tags":["db"],"notify":["Ops"]}`, "name", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			ts.call(t, tok, "POST", "/api/v1/notify-routes", c.body, c.want, &e)
			if e.Field != c.field {
				t.Errorf("error %+v, want field %q", e, c.field)
			}
		})
	}
	ts.call(t, tok, "PUT", "/api/v1/notify-routes/"+r.ID, `{"tags":[],"agent_labels":["eu"]}`, http.StatusOK, &r)
	if len(r.Tags) != 0 || r.AgentLabels[0] != "eu" || r.Notify[0] != ops {
		t.Errorf("after PUT %+v", r)
	}
	ts.call(t, tok, "GET", "/api/v1/notify-routes/404", nil, http.StatusNotFound, nil)
	ts.call(t, tok, "DELETE", "/api/v1/notify-routes/"+r.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "DELETE", "/api/v1/notify-routes/"+r.ID, nil, http.StatusNotFound, nil)
}

func TestAPIMonitorNotify(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	dana := ts.addContact(t, tok, "Dana")
	var g groupOutput
	ts.call(t, tok, "POST", "/api/v1/contact-groups", `{"name":"DBAs","members":["Dana"]}`, http.StatusCreated, &g)
	var p policyOutput
	ts.call(t, tok, "POST", "/api/v1/escalation-policies", `{"name":"Night","steps":[{"after":"5m","targets":["DBAs"]}]}`, http.StatusCreated, &p)

	base := `"name":"Homepage","type":"tcp","target":"127.0.0.1:1"`
	cases := []struct{ name, body, field string }{
		{"unknown contact", `{` + base + `,"notify":["Ops","ghost"]}`, "notify"},
		{"unknown policy", `{` + base + `,"escalation":"ghost"}`, "escalation"},
		{"reminder too often", `{` + base + `,"remind_every":"30s"}`, "remind_every"},
		{"reminder not a duration", `{` + base + `,"remind_every":"hourly"}`, "remind_every"},
		{"reminder too rare", `{` + base + `,"remind_every":"200h"}`, "remind_every"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			ts.call(t, tok, "POST", "/api/v1/monitors", c.body, http.StatusBadRequest, &e)
			if e.Field != c.field {
				t.Errorf("error %+v, want field %q", e, c.field)
			}
		})
	}
	var m monitorOutput
	ts.call(t, tok, "POST", "/api/v1/monitors", `{`+base+`,"notify":["ops","DBAs","`+ops+`"],"escalation":"night","remind_every":"30m"}`, http.StatusCreated, &m)
	if strings.Join(m.Notify, ",") != ops+","+g.ID || m.Escalation != p.ID || m.RemindEvery != "30m" {
		t.Fatalf("monitor notify %v escalation %q remind %q", m.Notify, m.Escalation, m.RemindEvery)
	}
	ts.call(t, tok, "PUT", "/api/v1/monitors/"+m.ID, `{"remind_every":"0"}`, http.StatusOK, &m)
	if m.RemindEvery != "0s" || len(m.Notify) != 2 {
		t.Errorf("after PUT: remind %q notify %v", m.RemindEvery, m.Notify)
	}
	// Deleting a contact, group or policy takes it out of the monitor, in
	// the store and in what the API shows.
	ts.call(t, tok, "DELETE", "/api/v1/contacts/"+ops, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "DELETE", "/api/v1/escalation-policies/"+p.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "GET", "/api/v1/monitors/"+m.ID, nil, http.StatusOK, &m)
	if strings.Join(m.Notify, ",") != g.ID || m.Escalation != "" {
		t.Errorf("after deleting the contact and policy: notify %v escalation %q", m.Notify, m.Escalation)
	}
	_ = dana
}
