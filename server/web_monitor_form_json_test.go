package server

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// txStepsText is a transaction's steps as a person types them into the
// form's textarea: indented, keys in their own order, CRLF line ends as a
// browser sends them.
const txStepsText = "[\r\n" +
	"  {\"name\": \"login page\", \"url\": \"/login\",\r\n" +
	"   \"extract\": [{\"name\": \"csrf\", \"from\": \"body\", \"regex\": \"name=\\\"csrf\\\" value=\\\"([^\\\"]+)\\\"\"}]},\r\n" +
	"  {\"name\": \"submit login\", \"method\": \"POST\", \"url\": \"/login\",\r\n" +
	"   \"form\": {\"user\": \"{{username}}\", \"password\": \"{{password}}\", \"csrf\": \"{{csrf}}\"},\r\n" +
	"   \"expect\": {\"contains\": \"Welcome\"}}\r\n" +
	"]\r\n"

func TestWebFormTransactionSteps(t *testing.T) {
	ts := newTestServer(t, true)
	b := newBrowser(t, ts)
	csrf := b.login()
	form := func(steps string) url.Values {
		return url.Values{"csrf": {csrf}, "name": {"shop login"}, "type": {"transaction"}, "target": {"https://shop.example"},
			"interval": {"5m"}, "settings.username": {"probe"}, "settings.steps": {steps}}
	}

	t.Run("the form offers the steps as a JSON textarea", func(t *testing.T) {
		_, page := b.get("/monitors/new?type=transaction")
		if !strings.Contains(page, `<textarea class="json" rows="14"`) || !strings.Contains(page, `name="settings.steps"`) {
			t.Fatalf("no JSON textarea for steps:\n%s", page)
		}
	})
	var id string
	t.Run("steps typed as JSON are stored as JSON", func(t *testing.T) {
		resp, body := b.post("/monitors", form(txStepsText))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		id = strings.TrimPrefix(resp.Header.Get("Location"), "/monitors/")
		m, ok := ts.monitors.get(id)
		if !ok {
			t.Fatal("monitor not stored")
		}
		// An array in the settings object, not a string.
		var settings struct {
			Steps []struct {
				Name string `json:"name"`
			} `json:"steps"`
		}
		if err := json.Unmarshal(m.Settings, &settings); err != nil || len(settings.Steps) != 2 || settings.Steps[1].Name != "submit login" {
			t.Fatalf("stored settings %s (%v), want the steps as a JSON array", m.Settings, err)
		}
	})
	t.Run("the edit form shows the steps pretty-printed", func(t *testing.T) {
		_, page := b.get("/monitors/" + id + "/edit")
		text := html.UnescapeString(page)
		for _, want := range []string{`name="settings.steps">[` + "\n  {\n    \"", "\n    \"name\": \"login page\",\n", "\n      \"user\": \"{{username}}\"\n"} {
			if !strings.Contains(text, want) {
				t.Fatalf("edit form lacks the indented steps %q:\n%s", want, page)
			}
		}
	})
	cases := []struct {
		name, steps, want string
	}{
		{"not JSON", strings.Replace(txStepsText, `"url": "/login",`, `"url": "/login"`, 1), "Steps: not valid JSON: invalid character &#39;&#34;&#39; after object key:value pair at line 3, column 4"},
		{"cut short", "[{\"url\": \"/\"}", "Steps: not valid JSON: it ends at line 1, column 13 before a bracket, brace or quote is closed"},
		{"two values", "[]\n[]", "Steps: not valid JSON: more text after the value ends, at line 2, column 1"},
		{"undefined variable", strings.Replace(txStepsText, `"csrf": "{{csrf}}"`, `"csrf": "{{token}}"`, 1), "Steps[1].form.csrf: {{token}} is not defined here"},
		{"a step's field", strings.Replace(txStepsText, `"method": "POST"`, `"method": "BREW"`, 1), "Steps[1].method: must be one of GET"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := b.post("/monitors", form(tc.steps))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			field := body[strings.Index(body, `name="settings.steps"`):]
			if !strings.Contains(field, `data-testid="field-error">`+tc.want) {
				t.Errorf("the steps field does not show %q:\n%s", tc.want, field[:min(len(field), 3000)])
			}
			if !strings.Contains(body, html.EscapeString(strings.ReplaceAll(tc.steps, "\r\n", "\n"))) && !strings.Contains(body, html.EscapeString(tc.steps)) {
				t.Error("the form does not show the steps as typed")
			}
		})
	}
}

func TestJSONSettingValue(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"[1, 2]", "[1,2]", ""},
		{"\n  {\"b\": 1, \"a\": [true, null]}\n", `{"b":1,"a":[true,null]}`, ""},
		{`"text"`, `"text"`, ""},
		{"{\n  \"a\": 1,\n  \"b\" 2\n}", "", "not valid JSON: invalid character '2' after object key at line 3, column 7"},
		{"[\n  \"é\", x]", "", "not valid JSON: invalid character 'x' looking for beginning of value at line 2, column 8"},
		{"{", "", "not valid JSON: it ends at line 1, column 1 before a bracket, brace or quote is closed"},
		{"1 2", "", "not valid JSON: more text after the value ends, at line 1, column 3"},
	}
	for _, tc := range cases {
		got, err := jsonSettingValue(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: %s (%v), want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestIndentJSONKeepsOrder(t *testing.T) {
	got := indentJSON([]byte(`[{"url":"/","name":"a","n":1.50}]`))
	want := "[\n  {\n    \"url\": \"/\",\n    \"name\": \"a\",\n    \"n\": 1.50\n  }\n]"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
