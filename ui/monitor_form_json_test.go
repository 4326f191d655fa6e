package ui

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSettingFieldJSON: a "json" setting is a tall monospace textarea
// holding the text as given, with its error and a hint that says JSON.
func TestSettingFieldJSON(t *testing.T) {
	s := CheckSetting{Name: "steps", Kind: "json", Help: "The requests to make"}
	value := "[\n  {\"url\": \"/login\", \"form\": {\"a\": \"<b>\"}}\n]"
	errs := map[string]string{"settings.steps": "Steps[0].url: is required"}
	doc := parse(t, render(t, settingField(s, value, errs)))
	areas := findAll(doc, func(n *html.Node) bool { return n.Data == "textarea" })
	if len(areas) != 1 {
		t.Fatalf("%d textareas, want 1", len(areas))
	}
	ta := areas[0]
	for key, want := range map[string]string{"name": "settings.steps", "class": "json", "rows": "14", "spellcheck": "false", "aria-invalid": "true"} {
		if got, _ := attr(ta, key); got != want {
			t.Errorf("textarea %s=%q, want %q", key, got, want)
		}
	}
	if got := text(ta); got != value {
		t.Errorf("textarea holds %q, want the value as given %q", got, value)
	}
	if errs := findAll(doc, byTestID("field-error")); len(errs) != 1 || text(errs[0]) != "Steps[0].url: is required" {
		t.Errorf("field error not shown")
	}
	if hint := settingHint(s); !strings.HasSuffix(hint, "Written in JSON.") {
		t.Errorf("hint %q does not say the text is JSON", hint)
	}
}
