package server

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// formControl returns the <input>, <textarea> or <select> tag named name
// in page, "" when there is none.
func formControl(page, name string) string {
	re := regexp.MustCompile(`<(input|textarea|select)\b[^>]*\bname="` + regexp.QuoteMeta(name) + `"[^>]*>`)
	return re.FindString(page)
}

// tagAttr returns an attribute's value of one tag, unescaped.
func tagAttr(tag, attr string) (string, bool) {
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(attr) + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

// The monitor form's secret fields: write-only password inputs, a value
// kept across a failed save without reaching the page, "stored — leave
// empty to keep it" when editing, and a box to remove it.
func TestMonitorFormSecrets(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	const pw = "form-pw-Kx8"

	_, page := b.get("/monitors/new?type=secrettest")
	in := formControl(page, "settings.password")
	if typ, _ := tagAttr(in, "type"); typ != "password" {
		t.Fatalf("the password field is %q", in)
	}
	if ac, _ := tagAttr(in, "autocomplete"); ac != "new-password" {
		t.Errorf("the password field's autocomplete is %q", ac)
	}

	// A failed save shows what was typed again, and keeps the password
	// without putting it in the page.
	form := url.Values{"csrf": {csrf}, "name": {"db"}, "type": {"secrettest"}, "target": {"db.example:3306"}, "interval": {"5"},
		"settings.user": {"vigil"}, "settings.password": {pw}, "tags": {"db, eu"}, "min_failed_locations": {"1"}}
	resp, page := b.post("/monitors", form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad interval: status %d", resp.StatusCode)
	}
	mustNotContain(t, pw, page)
	for name, want := range map[string]string{"name": "db", "target": "db.example:3306", "settings.user": "vigil", "tags": "db, eu", "interval": "5"} {
		if v, _ := tagAttr(formControl(page, name), "value"); v != want {
			t.Errorf("after the failed save %s shows %q, want %q", name, v, want)
		}
	}
	if v, _ := tagAttr(formControl(page, "settings.password"), "value"); v != "" {
		t.Errorf("the password input holds %q", v)
	}
	entered, _ := tagAttr(formControl(page, "entered.settings.password"), "value")
	if !strings.HasPrefix(entered, "sealed:") || !strings.Contains(page, "The value you entered is kept but not shown") {
		t.Fatalf("the entered password is not kept (hidden field %q)", entered)
	}

	// Another session cannot use that sealed copy.
	other := newBrowser(t, ts)
	otherCSRF := other.login()
	resp, _ = other.post("/monitors", url.Values{"csrf": {otherCSRF}, "name": {"stolen"}, "type": {"secrettest"}, "target": {"db.example:3306"},
		"entered.settings.password": {entered}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create in another session: status %d", resp.StatusCode)
	}
	stolen := ts.monitorByName(t, "stolen")
	if got := ts.storedSecret(t, stolen, "password"); got != "" {
		t.Errorf("another session's post stored the password %q", got)
	}

	form.Set("interval", "30s")
	form.Set("settings.password", "")
	form.Set("entered.settings.password", entered)
	resp, page = b.post("/monitors", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with the kept password: status %d\n%s", resp.StatusCode, page)
	}
	id := ts.monitorByName(t, "db")
	if got := ts.storedSecret(t, id, "password"); got != pw {
		t.Errorf("stored password %q, want the one typed before the failed save", got)
	}
	if m, _ := ts.monitors.get(id); !slices.Equal(m.Tags, []string{"db", "eu"}) || m.MinFailedLocations != 1 {
		t.Errorf("tags %q, min_failed_locations %d", m.Tags, m.MinFailedLocations)
	}

	// Editing: empty, said to be stored, removable.
	_, page = b.get("/monitors/" + id + "/edit")
	mustNotContain(t, pw, page)
	mustNotContain(t, "sealed:", page)
	in = formControl(page, "settings.password")
	if v, _ := tagAttr(in, "value"); v != "" || !strings.Contains(in, "stored — leave empty to keep it") || formControl(page, "clear.settings.password") == "" {
		t.Errorf("the edit form's password field %q, remove box %q", in, formControl(page, "clear.settings.password"))
	}
	edit := url.Values{"csrf": {csrf}, "name": {"db"}, "type": {"secrettest"}, "target": {"db.example:3306"}, "settings.user": {"vigil"}}
	if resp, page = b.post("/monitors/"+id, edit); resp.StatusCode != http.StatusSeeOther || ts.storedSecret(t, id, "password") != pw {
		t.Errorf("saving with the password left empty: %d, password %q\n%s", resp.StatusCode, ts.storedSecret(t, id, "password"), page)
	}
	moved := cloneValues(edit)
	moved.Set("target", "evil.example:3306")
	resp, page = b.post("/monitors/"+id, moved)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorBeside(page, "settings.password"), "another host") {
		t.Errorf("another host without the password: %d, error beside it %q", resp.StatusCode, errorBeside(page, "settings.password"))
	}
	edit.Set("clear.settings.password", "true")
	if resp, _ = b.post("/monitors/"+id, edit); resp.StatusCode != http.StatusSeeOther || ts.storedSecret(t, id, "password") != "" {
		t.Errorf("removing the password: %d, password %q", resp.StatusCode, ts.storedSecret(t, id, "password"))
	}
}

// depends_on is typed by name (a name may hold commas), shown by name,
// and an unknown name is an error beside the field.
func TestMonitorFormDependsOnByName(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	for _, name := range []string{"Parent, EU", "web"} {
		ts.call(t, admin, "POST", "/api/v1/monitors", `{"name":"`+name+`","type":"tcp","target":"127.0.0.1:1"}`, http.StatusCreated, nil)
	}
	parent, web := ts.monitorByName(t, "Parent, EU"), ts.monitorByName(t, "web")
	b := newBrowser(t, ts)
	csrf := b.login()
	_, page := b.get("/monitors/new?type=tcp")
	if !strings.Contains(page, `<datalist id="depends-on-monitors">`) || !strings.Contains(page, `<option value="Parent, EU">`) {
		t.Error("the form does not offer the monitors' names for depends_on")
	}
	form := url.Values{"csrf": {csrf}, "name": {"child"}, "type": {"tcp"}, "target": {"127.0.0.1:2"}, "depends_on": {"parent, eu ,nope"}}
	resp, page := b.post("/monitors", form)
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "depends_on") != `No monitor is called &#34;nope&#34;` {
		t.Errorf("an unknown name: %d, error beside depends_on %q", resp.StatusCode, errorBeside(page, "depends_on"))
	}
	form.Set("depends_on", "parent, eu, "+web) // an id is taken too
	if resp, page = b.post("/monitors", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", resp.StatusCode, page)
	}
	child := ts.monitorByName(t, "child")
	if m, _ := ts.monitors.get(child); !slices.Equal(m.DependsOn, []string{parent, web}) {
		t.Errorf("depends_on %q, want [%s %s]", m.DependsOn, parent, web)
	}
	_, page = b.get("/monitors/" + child + "/edit")
	if v, _ := tagAttr(formControl(page, "depends_on"), "value"); v != "Parent, EU, web" {
		t.Errorf("the edit form shows depends_on %q", v)
	}
}

// TestMonitorFormMinFailedLocations: shown with the locations, validated
// against their number.
func TestMonitorFormMinFailedLocations(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	for _, tc := range []struct {
		value, wantError string
	}{
		{"two", "Min_failed_locations must be a whole number"},
		{"2", "Min_failed_locations must be between 1 and the number of locations (1)"},
	} {
		resp, page := b.post("/monitors", url.Values{"csrf": {csrf}, "name": {"x"}, "type": {"tcp"}, "target": {"127.0.0.1:2"}, "min_failed_locations": {tc.value}})
		if got := errorBeside(page, "min_failed_locations"); resp.StatusCode != http.StatusBadRequest || got != tc.wantError {
			t.Errorf("%q: status %d, error %q, want %q", tc.value, resp.StatusCode, got, tc.wantError)
		}
		if v, _ := tagAttr(formControl(page, "min_failed_locations"), "value"); v != tc.value {
			t.Errorf("%q shown again as %q", tc.value, v)
		}
	}
}

// monitorByName returns the id of the monitor called name.
func (ts *testServer) monitorByName(t *testing.T, name string) string {
	t.Helper()
	for _, m := range ts.monitors.all() {
		if m.Name == name {
			return m.ID
		}
	}
	t.Fatalf("no monitor called %q", name)
	return ""
}
