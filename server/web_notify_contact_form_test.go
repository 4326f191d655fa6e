package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebContactFormKeepsEnteredSecret: a secret typed into a contact
// form that was not saved comes back sealed in a hidden field, never in
// plain text; the corrected form, the secret left empty, stores it. The
// sealed copy opens in no other session and for no other setting.
func TestWebContactFormKeepsEnteredSecret(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	hook := newHookReceiver(t)
	const secret, newSecret = "hook-secret-Kept7", "hook-secret-New8"

	// A bad URL: nothing saved, the secret kept sealed.
	form := url.Values{"csrf": {csrf}, "name": {"Ticket desk"}, "type": {"webhook"}, "settings.url": {"ftp://desk"}, "settings.secret": {secret}}
	resp, page := b.post("/contacts", form)
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "settings.url") == "" {
		t.Fatalf("a bad URL: status %d, error beside the URL %q", resp.StatusCode, errorBeside(page, "settings.url"))
	}
	mustNotContain(t, secret, page)
	if v, _ := tagAttr(formControl(page, "settings.secret"), "value"); v != "" {
		t.Errorf("the secret input holds %q", v)
	}
	entered, _ := tagAttr(formControl(page, "entered.settings.secret"), "value")
	if !strings.HasPrefix(entered, "sealed:") || !strings.Contains(page, "kept from your last try") {
		t.Fatalf("the typed secret is not kept (hidden field %q)", entered)
	}
	if formControl(page, "entered.settings.authorization") != "" {
		t.Error("a secret left empty came back as entered")
	}

	// "Change type" and back keeps it too.
	refresh := cloneValues(form)
	refresh.Del("settings.secret")
	refresh.Set("entered.settings.secret", entered)
	_, page = b.post("/contacts/new", refresh)
	if again, _ := tagAttr(formControl(page, "entered.settings.secret"), "value"); !strings.HasPrefix(again, "sealed:") {
		t.Errorf("Change type dropped the kept secret (hidden field %q)", again)
	}
	mustNotContain(t, secret, page)

	// Another session cannot use the sealed copy, nor can it open for
	// another setting.
	other := newBrowser(t, ts)
	otherCSRF := other.login()
	resp, _ = other.post("/contacts", url.Values{"csrf": {otherCSRF}, "name": {"Stolen"}, "type": {"webhook"},
		"settings.url": {hook.URL + "/stolen"}, "entered.settings.secret": {entered}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create in another session: status %d", resp.StatusCode)
	}
	if got := ts.openContactSecret(t, ts.contactByName(t, "Stolen"), "secret"); got != "" {
		t.Errorf("another session's post stored the secret %q", got)
	}
	resp, _ = b.post("/contacts", url.Values{"csrf": {csrf}, "name": {"Moved"}, "type": {"webhook"},
		"settings.url": {hook.URL + "/moved"}, "entered.settings.authorization": {entered}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with the copy in another field: status %d", resp.StatusCode)
	}
	if got := ts.openContactSecret(t, ts.contactByName(t, "Moved"), "authorization"); got != "" {
		t.Errorf("the sealed secret opened as authorization: %q", got)
	}

	// The corrected form, the secret not typed again, stores it.
	form.Set("settings.url", hook.URL+"/hook")
	form.Set("settings.secret", "")
	form.Set("entered.settings.secret", entered)
	if resp, page = b.post("/contacts", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with the kept secret: status %d\n%s", resp.StatusCode, page)
	}
	id := ts.contactByName(t, "Ticket desk")
	if got := ts.openContactSecret(t, id, "secret"); got != secret {
		t.Errorf("stored secret %q, want the one typed before the failed save", got)
	}

	// Editing: a new secret typed into a failed save replaces the stored
	// one once the form is corrected; the edit form never shows either.
	edit := url.Values{"csrf": {csrf}, "name": {"Ticket desk"}, "type": {"webhook"}, "settings.url": {hook.URL + "/hook"},
		"settings.secret": {newSecret}, "settings.headers": {"no colon here"}}
	resp, page = b.post("/contacts/"+id, edit)
	if resp.StatusCode != http.StatusBadRequest || errorBeside(page, "settings.headers") == "" {
		t.Fatalf("bad headers: status %d, error beside them %q", resp.StatusCode, errorBeside(page, "settings.headers"))
	}
	mustNotContain(t, newSecret, page)
	if formControl(page, "clear.settings.secret") != "" {
		t.Error("the remove box is offered beside a kept secret")
	}
	entered, _ = tagAttr(formControl(page, "entered.settings.secret"), "value")
	edit.Set("settings.headers", "X-Team: ops")
	edit.Set("settings.secret", "")
	edit.Set("entered.settings.secret", entered)
	if resp, page = b.post("/contacts/"+id, edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save with the kept secret: status %d\n%s", resp.StatusCode, page)
	}
	if got := ts.openContactSecret(t, id, "secret"); got != newSecret {
		t.Errorf("stored secret %q, want the one typed before the failed save", got)
	}
	_, page = b.get("/contacts/" + id + "/edit")
	mustNotContain(t, secret, page)
	mustNotContain(t, newSecret, page)
	mustNotContain(t, "sealed:", page)
}

// contactByName returns the id of the contact called name.
func (ts *testServer) contactByName(t *testing.T, name string) string {
	t.Helper()
	list, err := ts.db.Contacts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no contact called %q", name)
	return ""
}
