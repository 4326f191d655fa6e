package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/store"
)

// An editor who points an administrator's contact elsewhere must not get
// its write-only secrets sent along: the review's webhook "Bearer
// ADMIN-ONLY-TOKEN" case, and the ntfy token.
func TestContactSecretsDoNotFollowANewHost(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	editor := ts.addUser(t, "eddie", "editor")
	const token = "ADMIN-ONLY-TOKEN"
	good := newHookReceiver(t)
	evil := newHookReceiver(t)
	evilHost := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) // another host, same machine

	tests := []struct {
		name, typ, secret, settings string // settings: the created contact's, %s = good.URL
		change                      string // the editor's PUT
		wantField                   string // "" when the secret is kept
	}{
		{"webhook url to another host", "webhook", "authorization", `{"url":"%s/hook","authorization":"Bearer ` + token + `"}`,
			`{"settings":{"url":"` + evilHost + `/steal"}}`, "settings.authorization"},
		{"webhook url to another port", "webhook", "authorization", `{"url":"%s/hook","authorization":"Bearer ` + token + `"}`,
			`{"settings":{"url":"` + evil.URL + `/steal"}}`, "settings.authorization"},
		{"webhook url to another scheme", "webhook", "secret", `{"url":"%s/hook","secret":"` + token + `"}`,
			`{"settings":{"url":"` + strings.Replace(good.URL, "http:", "https:", 1) + `/hook"}}`, "settings.secret"},
		{"webhook secret null on a new host", "webhook", "secret", `{"url":"%s/hook","secret":"` + token + `"}`,
			`{"settings":{"url":"` + evilHost + `/steal","secret":null}}`, "settings.secret"},
		{"ntfy url to another host", "ntfy", "token", `{"url":"%s/ops-topic","token":"tk_` + token + `"}`,
			`{"settings":{"url":"` + evilHost + `/ops-topic"}}`, "settings.token"},
		{"webhook path only", "webhook", "authorization", `{"url":"%s/hook","authorization":"Bearer ` + token + `"}`,
			`{"settings":{"url":"` + good.URL + `/v2?x=1"}}`, ""},
		{"webhook host in capitals, explicit default port", "webhook", "authorization", `{"url":"http://example.com/hook","authorization":"Bearer ` + token + `"}`,
			`{"settings":{"url":"HTTP://EXAMPLE.COM:80/other"}}`, ""},
		{"name only", "ntfy", "token", `{"url":"%s/ops-topic","token":"tk_` + token + `"}`,
			`{"name":"renamed"}`, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settings := strings.Replace(tt.settings, "%s", good.URL, 1)
			var c contactOut
			ts.call(t, admin, "POST", "/api/v1/contacts", `{"name":"c`+string(rune('a'+i))+`","type":"`+tt.typ+`","settings":`+settings+`}`, http.StatusCreated, &c)
			before, _ := ts.db.Contact(c.ID)
			if tt.wantField == "" {
				ts.call(t, editor, "PUT", "/api/v1/contacts/"+c.ID, tt.change, http.StatusOK, nil)
				if got := ts.openContactSecret(t, c.ID, tt.secret); !strings.Contains(got, token) {
					t.Errorf("%s now %q, want it kept", tt.secret, got)
				}
				return
			}
			var e errorBody
			ts.call(t, editor, "PUT", "/api/v1/contacts/"+c.ID, tt.change, http.StatusBadRequest, &e)
			if e.Field != tt.wantField || !strings.Contains(e.Error, "another host") || strings.Contains(e.Error, token) {
				t.Errorf("error %+v, want field %s saying the host changed", e, tt.wantField)
			}
			if after, _ := ts.db.Contact(c.ID); string(after.Settings) != string(before.Settings) {
				t.Errorf("the refused change was stored: %s", after.Settings)
			}
			ts.call(t, editor, "POST", "/api/v1/contacts/"+c.ID+"/test", nil, http.StatusOK, nil)

			// Sending the secret again, or removing it, is accepted.
			withSecret := strings.TrimSuffix(tt.change, "}}") + `,"` + tt.secret + `":"their-own"}}`
			withSecret = strings.Replace(withSecret, `,"`+tt.secret+`":null`, "", 1)
			ts.call(t, editor, "PUT", "/api/v1/contacts/"+c.ID, withSecret, http.StatusOK, nil)
			if got := ts.openContactSecret(t, c.ID, tt.secret); got != "their-own" {
				t.Errorf("%s now %q, want the one sent with the new URL", tt.secret, got)
			}
		})
	}
	if n := len(evil.received()); n != 0 {
		t.Errorf("the editor's receiver got %d requests", n)
	}
}

func TestSMTPPasswordDoesNotFollowANewServer(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	const password = "smtp-pass-Z7"
	reset := func(t *testing.T) {
		ts.call(t, admin, "PUT", "/api/v1/settings/smtp",
			`{"host":"smtp.example.com","port":587,"username":"u","password":"`+password+`","from":"v@example.com","tls":"starttls"}`, http.StatusOK, nil)
	}
	tests := []struct{ name, body, wantField string }{
		{"host", `{"host":"mx.attacker.example"}`, "password"},
		{"port", `{"port":2525}`, "password"},
		{"host with the password again", `{"host":"mx.other.example","password":"new"}`, ""},
		{"host with the password removed", `{"host":"mx.other.example","password":""}`, ""},
		{"host in capitals", `{"host":"SMTP.EXAMPLE.COM"}`, ""},
		{"tls and from", `{"tls":"tls","from":"w@example.com"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t)
			if tt.wantField == "" {
				ts.call(t, admin, "PUT", "/api/v1/settings/smtp", tt.body, http.StatusOK, nil)
				return
			}
			var e errorBody
			ts.call(t, admin, "PUT", "/api/v1/settings/smtp", tt.body, http.StatusBadRequest, &e)
			if e.Field != tt.wantField {
				t.Errorf("error %+v, want field %s", e, tt.wantField)
			}
			if st, _ := ts.db.SMTPSettings(); st.Host != "smtp.example.com" || st.Port != 587 {
				t.Errorf("the refused change was stored: %s:%d", st.Host, st.Port)
			}
		})
	}

	// The form shows the error beside the password field.
	reset(t)
	b := newBrowser(t, ts)
	csrf := b.login()
	resp, page := b.post("/settings/smtp", url.Values{"csrf": {csrf}, "host": {"mx.attacker.example"}, "port": {"587"},
		"username": {"u"}, "from": {"v@example.com"}, "tls": {"starttls"}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "password") == "" {
		t.Errorf("form: %d, error beside password %q", resp.StatusCode, errorBeside(page, "password"))
	}
}

// Viewers see a contact's name, type and where it sends (scheme and host),
// never its settings: a topic URL or a header can be a secret.
func TestContactsForViewers(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	viewer := ts.addUser(t, "vera", "viewer")
	const topic = "vigil-ops-s3cr3t-7f3k"
	const apiKey = "key-Hh3-private"
	var ntfy, hook contactOut
	ts.call(t, admin, "POST", "/api/v1/contacts", `{"name":"Phones","type":"ntfy","settings":{"url":"https://ntfy.sh/`+topic+`"}}`, http.StatusCreated, &ntfy)
	ts.call(t, admin, "POST", "/api/v1/contacts", `{"name":"Desk","type":"webhook","settings":{"url":"https://desk.example.com/api/`+topic+`?token=q",`+
		`"headers":{"X-API-Key":"`+apiKey+`"},"secret":"s","body_template":"{\"routing_key\":\"`+apiKey+`\"}"}}`, http.StatusCreated, &hook)

	var list []map[string]any
	raw := string(ts.call(t, viewer, "GET", "/api/v1/contacts", nil, http.StatusOK, &list))
	one := string(ts.call(t, viewer, "GET", "/api/v1/contacts/"+hook.ID, nil, http.StatusOK, nil))
	mustNotContain(t, topic, raw, one)
	mustNotContain(t, apiKey, raw, one)
	if len(list) != 2 {
		t.Fatalf("viewer list: %s", raw)
	}
	for _, c := range list {
		if _, has := c["settings"]; has {
			t.Errorf("a viewer got settings: %v", c)
		}
		if _, has := c["secrets_set"]; has {
			t.Errorf("a viewer got secrets_set: %v", c)
		}
	}
	want := map[string]string{"Phones": "https://ntfy.sh", "Desk": "https://desk.example.com"}
	for _, c := range list {
		if c["summary"] != want[c["name"].(string)] || c["type"] == "" {
			t.Errorf("viewer sees %v, want summary %q", c, want[c["name"].(string)])
		}
	}

	// An editor still gets the settings, to edit them.
	var full contactOut
	ts.call(t, admin, "GET", "/api/v1/contacts/"+ntfy.ID, nil, http.StatusOK, &full)
	if full.Settings["url"] != "https://ntfy.sh/"+topic || full.SecretsSet == nil {
		t.Errorf("editor sees %+v, want the settings", full)
	}

	b := newBrowser(t, ts)
	b.loginAs("vera")
	resp, page := b.get("/contacts")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "https://ntfy.sh") || !strings.Contains(page, "Desk") {
		t.Fatalf("contacts page for a viewer: %d", resp.StatusCode)
	}
	mustNotContain(t, topic, page)
	mustNotContain(t, apiKey, page)
	if strings.Contains(page, "secret set") {
		t.Error("the viewer's page says which secrets are set")
	}
}

func TestCutURLPaths(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ntfy https://ntfy.sh/vigil-ops-s3cr3t: 403 Forbidden", "ntfy https://ntfy.sh/…: 403 Forbidden"},
		{`answer {"url":"https://discord.com/api/webhooks/1/tok?x=1"}`, `answer {"url":"https://discord.com/…"}`},
		{"webhook https://desk.example.com/…: 500", "webhook https://desk.example.com/…: 500"},
		{"host only http://a.example:8080 and http://b.example/", "host only http://a.example:8080 and http://b.example/"},
		{"HTTPS://X.EXAMPLE/Secret#frag", "HTTPS://X.EXAMPLE/…"},
		{"dial tcp 10.0.0.1:443: connection refused", "dial tcp 10.0.0.1:443: connection refused"},
	}
	for _, tt := range tests {
		if got := cutURLPaths(tt.in); got != tt.want {
			t.Errorf("cutURLPaths(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	a := store.NotificationAttempt{Error: "ntfy answered https://ntfy.sh/topic-s3cr3t: 429"}
	if got := attemptView(a, false).Error; strings.Contains(got, "s3cr3t") {
		t.Errorf("viewer's log shows %q", got)
	}
	if got := attemptView(a, true).Error; got != a.Error {
		t.Errorf("editor's log shows %q, want it whole", got)
	}
}

// "Send test" is limited per user, so an editor's script cannot run up an
// SMS bill; another user is not affected.
func TestContactTestRateLimit(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	editor := ts.addUser(t, "eddie", "editor")
	hook := newHookReceiver(t)
	var c contactOut
	ts.call(t, admin, "POST", "/api/v1/contacts", `{"name":"Hook","type":"webhook","settings":{"url":"`+hook.URL+`"}}`, http.StatusCreated, &c)

	limit := 0
	for ; limit < 100; limit++ {
		resp := ts.rawCall(t, editor, "POST", "/api/v1/contacts/"+c.ID+"/test")
		if resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			break
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("test %d: status %d", limit+1, resp.StatusCode)
		}
	}
	if limit < 5 || limit > 20 {
		t.Fatalf("%d test sends allowed before a 429, want a small limit of 5 to 20", limit)
	}
	if got := len(hook.received()); got != limit {
		t.Errorf("the receiver got %d messages, want %d", got, limit)
	}
	ts.call(t, admin, "POST", "/api/v1/contacts/"+c.ID+"/test", nil, http.StatusOK, nil)

	// The web button shares the user's limit and says so in the row.
	b := newBrowser(t, ts)
	csrf := b.loginAs("eddie")
	resp, page := b.post("/contacts/"+c.ID+"/test", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(page, `data-testid="contact-test-result"`) || !strings.Contains(page, "Too many test messages") {
		t.Errorf("web test over the limit: %d", resp.StatusCode)
	}
}

// rawCall does one API request without a body and returns the response.
func (ts *testServer) rawCall(t *testing.T, token, method, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, ts.url(path), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
