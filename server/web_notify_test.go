package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// loginAs signs in as name (made with addUser) and returns the CSRF token.
func (b *browser) loginAs(name string) string {
	b.t.Helper()
	_, page := b.get("/login")
	resp, body := b.post("/login", url.Values{"username": {name}, "password": {testPassword}, "csrf": {b.csrf(page)}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d: %s", name, resp.StatusCode, body)
	}
	_, page = b.get("/")
	return b.csrf(page)
}

// errorBeside returns the error message shown beside form field name.
func errorBeside(page, name string) string {
	id := "f-" + strings.NewReplacer(".", "-", " ", "-").Replace(name) + "-error"
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestWebNavigation(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/")
	for _, link := range []string{`href="/contacts"`, `href="/maintenance"`} {
		if !strings.Contains(page, link) {
			t.Errorf("the navigation lacks %s", link)
		}
	}
	for _, path := range []string{"/contacts", "/escalations", "/maintenance", "/settings/smtp", "/contacts/new"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
}

func TestWebSMTPForm(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	const secret = "smtp-pass-Xy7"

	resp, page := b.post("/settings/smtp", url.Values{"csrf": {csrf}, "host": {""}, "port": {"99999"}, "from": {"nobody"}, "tls": {"starttls"}, "password": {secret}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad form: %d", resp.StatusCode)
	}
	for _, f := range []string{"host", "port", "from"} {
		if errorBeside(page, f) == "" {
			t.Errorf("no error beside %s", f)
		}
	}
	mustNotContain(t, secret, page)

	sink := newMailSink(t)
	resp, _ = b.post("/settings/smtp", url.Values{"csrf": {csrf}, "host": {"127.0.0.1"}, "port": {strconv.Itoa(sink.port)},
		"from": {"vigil@example.com"}, "tls": {"none"}, "password": {secret}, "username": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good form: %d", resp.StatusCode)
	}
	_, page = b.get("/settings/smtp")
	if !strings.Contains(page, "set — leave empty to keep") || !strings.Contains(page, `value="127.0.0.1"`) {
		t.Error("the page does not show the saved settings and the kept password")
	}
	mustNotContain(t, secret, page)
	// Saving again with the password field empty keeps the password.
	b.post("/settings/smtp", url.Values{"csrf": {csrf}, "host": {"127.0.0.1"}, "port": {strconv.Itoa(sink.port)}, "from": {"vigil@example.com"}, "tls": {"none"}})
	if st, _ := ts.db.SMTPSettings(); st.Password == "" {
		t.Error("an empty password field removed the password")
	}
	b.post("/settings/smtp", url.Values{"csrf": {csrf}, "host": {"127.0.0.1"}, "port": {strconv.Itoa(sink.port)}, "from": {"vigil@example.com"}, "tls": {"none"}, "clear_password": {"true"}})
	if st, _ := ts.db.SMTPSettings(); st.Password != "" {
		t.Error("the Remove box kept the password")
	}

	resp, page = b.post("/settings/smtp/test", url.Values{"csrf": {csrf}, "to": {"nobody"}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "to") == "" {
		t.Errorf("bad address: %d, error %q", resp.StatusCode, errorBeside(page, "to"))
	}
	resp, page = b.post("/settings/smtp/test", url.Values{"csrf": {csrf}, "to": {"ops@example.com"}})
	if to, _ := sink.received(); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Sent to ops@example.com") || len(to) != 1 {
		t.Errorf("test email: %d, received %v", resp.StatusCode, to)
	}

	t.Run("editors may not", func(t *testing.T) {
		ts.addUser(t, "eddie", "editor")
		e := newBrowser(t, ts)
		ecsrf := e.loginAs("eddie")
		if resp, _ := e.get("/settings/smtp"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET: %d", resp.StatusCode)
		}
		if resp, _ := e.post("/settings/smtp", url.Values{"csrf": {ecsrf}, "host": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST: %d", resp.StatusCode)
		}
		if _, page := e.get("/contacts"); strings.Contains(page, `href="/settings/smtp"`) {
			t.Error("editors see the SMTP tab")
		}
	})
}

func TestWebContactForm(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	hook := newHookReceiver(t)
	const secret = "hook-secret-Q9"

	_, page := b.get("/contacts/new?type=webhook")
	if !strings.Contains(page, `name="settings.url"`) || !strings.Contains(page, `type="password"`) {
		t.Fatal("the webhook form lacks its url and secret fields")
	}
	// "Change type" re-renders the form for the new type, keeping the name.
	_, page = b.post("/contacts/new", url.Values{"csrf": {csrf}, "name": {"Dana"}, "type": {"sms"}})
	if !strings.Contains(page, `name="settings.account_sid"`) || !strings.Contains(page, `value="Dana"`) {
		t.Error("Change type did not show the SMS fields with the name kept")
	}

	resp, page := b.post("/contacts", url.Values{"csrf": {csrf}, "name": {""}, "type": {"webhook"}, "settings.url": {"ftp://x"}, "settings.secret": {secret}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "name") == "" || errorBeside(page, "settings.url") == "" {
		t.Fatalf("bad contact: %d, errors name %q url %q", resp.StatusCode, errorBeside(page, "name"), errorBeside(page, "settings.url"))
	}
	mustNotContain(t, secret, page)

	resp, _ = b.post("/contacts", url.Values{"csrf": {csrf}, "name": {"Ticket desk"}, "type": {"webhook"},
		"settings.url": {hook.URL + "/hook?token=abc"}, "settings.secret": {secret}, "settings.headers": {"X-Team: ops"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good contact: %d", resp.StatusCode)
	}
	list, _ := ts.db.Contacts()
	if len(list) != 1 {
		t.Fatalf("%d contacts stored", len(list))
	}
	id := list[0].ID
	_, page = b.get("/contacts")
	if !strings.Contains(page, "Ticket desk") || !strings.Contains(page, hook.URL) || strings.Contains(page, hook.URL+"/hook") {
		t.Error("the list does not show the contact and where it sends (scheme and host only)")
	}
	mustNotContain(t, secret, page)

	_, page = b.get("/contacts/" + id + "/edit")
	if !strings.Contains(page, "set — leave empty to keep") || !strings.Contains(page, "X-Team: ops") {
		t.Error("the edit form does not show the stored secret as kept, or the headers")
	}
	mustNotContain(t, secret, page)
	resp, _ = b.post("/contacts/"+id, url.Values{"csrf": {csrf}, "name": {"Ticket desk"}, "type": {"webhook"}, "settings.url": {hook.URL + "/v2"}})
	if resp.StatusCode != http.StatusSeeOther || ts.openContactSecret(t, id, "secret") != secret {
		t.Errorf("saving without the secret: %d, secret now %q", resp.StatusCode, ts.openContactSecret(t, id, "secret"))
	}

	// Another host: the stored secret is not kept, the form asks for it.
	elsewhere := strings.Replace(hook.URL, "127.0.0.1", "localhost", 1) + "/v2"
	resp, page = b.post("/contacts/"+id, url.Values{"csrf": {csrf}, "name": {"Ticket desk"}, "type": {"webhook"}, "settings.url": {elsewhere}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorBeside(page, "settings.secret"), "another host") {
		t.Errorf("moving the URL without the secret: %d, error beside the secret %q", resp.StatusCode, errorBeside(page, "settings.secret"))
	}

	// Send test: the result shows in the contact's row.
	resp, page = b.post("/contacts/"+id+"/test", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="contact-test-result"`) || len(hook.received()) != 1 {
		t.Errorf("send test: %d, webhook got %d", resp.StatusCode, len(hook.received()))
	}
	hook.status.Store(http.StatusInternalServerError)
	resp, page = b.post("/contacts/"+id+"/test", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "500") {
		t.Errorf("failing test: %d", resp.StatusCode)
	}

	resp, _ = b.post("/contacts/"+id+"/delete", url.Values{"csrf": {csrf}})
	if list, _ := ts.db.Contacts(); resp.StatusCode != http.StatusSeeOther || len(list) != 0 {
		t.Errorf("delete: %d, %d left", resp.StatusCode, len(list))
	}
	if resp, _ := b.get("/contacts/" + id + "/edit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("edit of a deleted contact: %d", resp.StatusCode)
	}
}

func TestWebGroupsAndRoutes(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	dana := ts.addContact(t, tok, "Dana")
	b := newBrowser(t, ts)
	csrf := b.login()

	resp, page := b.post("/groups", url.Values{"csrf": {csrf}, "group_name": {""}, "members": {ops}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "group_name") == "" || !strings.Contains(page, `value="`+ops+`" checked`) {
		t.Fatalf("group without a name: %d, error %q", resp.StatusCode, errorBeside(page, "group_name"))
	}
	resp, _ = b.post("/groups", url.Values{"csrf": {csrf}, "group_name": {"DBAs"}, "members": {ops, dana}})
	groups, _ := ts.db.Groups()
	if resp.StatusCode != http.StatusSeeOther || len(groups) != 1 || len(groups[0].Members) != 2 {
		t.Fatalf("group: %d %+v", resp.StatusCode, groups)
	}
	g := groups[0]
	_, page = b.get("/groups/" + g.ID + "/edit")
	if !strings.Contains(page, `value="DBAs"`) || !strings.Contains(page, "Edit group") {
		t.Error("the edit link does not fill the group form")
	}
	b.post("/groups/"+g.ID, url.Values{"csrf": {csrf}, "group_name": {"DBAs"}, "members": {dana}})
	if g, _ = ts.db.Group(g.ID); len(g.Members) != 1 || g.Members[0] != dana {
		t.Errorf("after editing: %+v", g)
	}
	resp, page = b.post("/groups", url.Values{"csrf": {csrf}, "group_name": {"dbas"}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "group_name") == "" {
		t.Errorf("taken name: %d", resp.StatusCode)
	}

	resp, page = b.post("/routes", url.Values{"csrf": {csrf}, "route_name": {"Databases"}, "tags": {""}, "notify": {g.ID}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "tags") == "" {
		t.Fatalf("route matching nothing: %d", resp.StatusCode)
	}
	resp, _ = b.post("/routes", url.Values{"csrf": {csrf}, "route_name": {"Databases"}, "tags": {"db, pg"}, "notify": {g.ID}})
	routes, _ := ts.db.Routes()
	if resp.StatusCode != http.StatusSeeOther || len(routes) != 1 || strings.Join(routes[0].Tags, ",") != "db,pg" {
		t.Fatalf("route: %d %+v", resp.StatusCode, routes)
	}
	_, page = b.get("/contacts")
	if !strings.Contains(page, `data-testid="route-row"`) || !strings.Contains(page, "DBAs (group)") {
		t.Error("the route is not listed with its targets by name")
	}
	b.post("/routes/"+routes[0].ID+"/delete", url.Values{"csrf": {csrf}})
	b.post("/groups/"+g.ID+"/delete", url.Values{"csrf": {csrf}})
	if routes, _ = ts.db.Routes(); len(routes) != 0 {
		t.Error("the route was not deleted")
	}

	t.Run("viewers read only", func(t *testing.T) {
		ts.addUser(t, "vera", "viewer")
		v := newBrowser(t, ts)
		vcsrf := v.loginAs("vera")
		_, page := v.get("/contacts")
		if strings.Contains(page, `data-testid="group-form"`) || strings.Contains(page, `data-testid="contact-test-form"`) || !strings.Contains(page, "Ops") {
			t.Error("a viewer sees forms, or not the contacts")
		}
		if resp, _ := v.post("/groups", url.Values{"csrf": {vcsrf}, "group_name": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST: %d", resp.StatusCode)
		}
	})
}

func TestWebEscalationForm(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	dana := ts.addContact(t, tok, "Dana")
	b := newBrowser(t, ts)
	csrf := b.login()

	_, page := b.get("/escalations")
	if n := strings.Count(page, `data-testid="policy-step"`); n != 3 {
		t.Errorf("%d empty step rows, want 3", n)
	}
	form := url.Values{"csrf": {csrf}, "name": {"Web on-call"},
		"steps.0.after": {"0"}, "steps.0.targets": {ops},
		"steps.1.after": {""}, // a spare row
		"steps.2.after": {"ten"}, "steps.2.targets": {dana}}
	resp, page := b.post("/escalations", form)
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "steps.2.after") == "" || errorBeside(page, "steps.0.after") != "" {
		t.Fatalf("bad delay: %d, error beside row 2 %q", resp.StatusCode, errorBeside(page, "steps.2.after"))
	}
	form.Set("steps.2.after", "10")
	resp, _ = b.post("/escalations", form)
	pols, _ := ts.db.EscalationPolicies()
	if resp.StatusCode != http.StatusSeeOther || len(pols) != 1 || len(pols[0].Steps) != 2 || pols[0].Steps[1].After.Minutes() != 10 {
		t.Fatalf("policy: %d %+v", resp.StatusCode, pols)
	}
	_, page = b.get("/escalations/" + pols[0].ID + "/edit")
	if n := strings.Count(page, `data-testid="policy-step"`); n != 4 || !strings.Contains(page, `value="10"`) {
		t.Errorf("edit form: %d step rows (want 2 filled + 2 spare)", n)
	}
	_, page = b.get("/escalations")
	if !strings.Contains(page, "After 10 min") || !strings.Contains(page, "Dana") {
		t.Error("the list does not show the steps by delay and name")
	}
	resp, page = b.post("/escalations/"+pols[0].ID, url.Values{"csrf": {csrf}, "name": {"Web on-call"}, "steps.0.after": {"5"}})
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "steps.0.targets") == "" {
		t.Errorf("a step without targets: %d, error %q", resp.StatusCode, errorBeside(page, "steps.0.targets"))
	}
	b.post("/escalations/"+pols[0].ID+"/delete", url.Values{"csrf": {csrf}})
	if pols, _ = ts.db.EscalationPolicies(); len(pols) != 0 {
		t.Error("not deleted")
	}
}

func TestWebMonitorFormNotify(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	ops := ts.addContact(t, tok, "Ops")
	var g groupOutput
	ts.call(t, tok, "POST", "/api/v1/contact-groups", `{"name":"DBAs","members":["Ops"]}`, http.StatusCreated, &g)
	var p policyOutput
	ts.call(t, tok, "POST", "/api/v1/escalation-policies", `{"name":"Night","steps":[{"after":"5m","targets":["DBAs"]}]}`, http.StatusCreated, &p)
	b := newBrowser(t, ts)
	csrf := b.login()

	_, page := b.get("/monitors/new")
	for _, want := range []string{`name="notify" value="` + ops + `"`, `name="notify" value="` + g.ID + `"`, `<option value="` + p.ID + `"`, `name="remind_every"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	base := url.Values{"csrf": {csrf}, "name": {"Homepage"}, "type": {"tcp"}, "target": {"127.0.0.1:1"}, "interval": {"30s"}}
	bad := cloneValues(base)
	bad["notify"] = []string{"ghost"}
	bad.Set("remind_every", "10s")
	resp, page := b.post("/monitors", bad)
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "notify") == "" || errorBeside(page, "remind_every") == "" {
		t.Fatalf("bad notify: %d, errors %q %q", resp.StatusCode, errorBeside(page, "notify"), errorBeside(page, "remind_every"))
	}
	good := cloneValues(base)
	good["notify"] = []string{ops, g.ID}
	good.Set("escalation", p.ID)
	good.Set("remind_every", "1h")
	resp, _ = b.post("/monitors", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good: %d", resp.StatusCode)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/monitors/")
	m, _ := ts.monitors.get(id)
	if strings.Join(m.Notify, ",") != ops+","+g.ID || m.Escalation != p.ID || m.RemindEvery.Hours() != 1 {
		t.Fatalf("stored notify %v escalation %q remind %v", m.Notify, m.Escalation, m.RemindEvery)
	}
	_, page = b.get("/monitors/" + id + "/edit")
	if !strings.Contains(page, `value="`+ops+`" checked`) || !strings.Contains(page, `value="`+p.ID+`" selected`) || !strings.Contains(page, `value="1h"`) {
		t.Error("the edit form does not show what is stored")
	}
	// Unticking everything clears the list.
	resp, _ = b.post("/monitors/"+id, base)
	if m, _ = ts.monitors.get(id); resp.StatusCode != http.StatusSeeOther || len(m.Notify) != 0 || m.Escalation != "" {
		t.Errorf("after unticking: %d, notify %v escalation %q", resp.StatusCode, m.Notify, m.Escalation)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
