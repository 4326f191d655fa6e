package ui

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestContactSecretField: a contact's secret is a password input that is
// always empty, saying whether a value is stored (with a box to remove
// it) or is kept from a try that was not saved (its sealed copy posted
// back in a hidden field, no remove box).
func TestContactSecretField(t *testing.T) {
	tests := []struct {
		name        string
		set         bool
		entered     map[string]string
		placeholder string
		hint        string
		removeBox   bool
		hidden      string // the entered.settings.secret value; "" for no field
	}{
		{"new", false, nil, "", "Stored encrypted and never shown again.", false, ""},
		{"stored", true, nil, "set — leave empty to keep", "A value is stored and never shown; leave empty to keep it.", true, ""},
		{"kept from a failed save", true, map[string]string{"secret": "sealed:v1:abc"},
			"kept from your last try — leave empty to use it", "kept from your last try", false, "sealed:v1:abc"},
		{"kept, none stored", false, map[string]string{"secret": "sealed:v1:def"},
			"kept from your last try — leave empty to use it", "kept from your last try", false, "sealed:v1:def"},
		{"kept for a setting of another type", false, map[string]string{"auth_token": "sealed:v1:xyz"},
			"", "Stored encrypted and never shown again.", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := sampleContactForm()
			p.Values.SecretsSet = map[string]bool{"secret": tc.set}
			p.Values.SecretsEntered = tc.entered
			p.Values.Settings["secret"] = "plain-in-props"
			out := render(t, ContactFormPage(p))
			if strings.Contains(out, "plain-in-props") {
				t.Fatal("the secret's value from the props is in the page")
			}
			doc := parse(t, out)
			named := func(name string) []*html.Node {
				return findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == name })
			}
			in := named("settings.secret")
			if len(in) != 1 {
				t.Fatalf("%d settings.secret inputs, want 1", len(in))
			}
			for key, want := range map[string]string{"type": "password", "autocomplete": "new-password", "value": "", "placeholder": tc.placeholder} {
				if got := attrOf(in[0], key); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			hint := findAll(doc, func(n *html.Node) bool { return attrOf(n, "id") == hintID("settings.secret") })
			if len(hint) != 1 || !strings.Contains(text(hint[0]), tc.hint) {
				t.Errorf("the hint does not say %q", tc.hint)
			}
			if len(hint) == 1 && strings.Contains(text(hint[0]), "type it again") {
				t.Errorf("the hint still asks to type the secret again: %q", text(hint[0]))
			}
			if got := len(named("clear.settings.secret")) == 1; got != tc.removeBox {
				t.Errorf("remove box shown: %v, want %v", got, tc.removeBox)
			}
			hidden := named("entered.settings.secret")
			if tc.hidden == "" && len(hidden) != 0 || tc.hidden != "" && (len(hidden) != 1 || attrOf(hidden[0], "value") != tc.hidden || attrOf(hidden[0], "type") != "hidden") {
				t.Errorf("entered field %v, want value %q", hidden, tc.hidden)
			}
			if n := len(named("entered.settings.auth_token")); n != 0 {
				t.Errorf("%d hidden fields for a setting the webhook form does not show", n)
			}
		})
	}
}
