package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func init() { validationCases["transaction"] = transactionValidationCases }

// txStep1 wraps one step's JSON into settings with a single step.
func txStep1(step string) string { return `{"steps":[` + step + `]}` }

var transactionValidationCases = []validationCase{
	{"login with csrf", "https://app.example.com", txSettings(loginSteps), ""},
	{"everything", "http://127.0.0.1:8080/app/", `{"steps":[{"name":"a","method":"put","url":"https://other.example/x?a={{username}}","headers":{"X-A":"{{password}}","Host":"v.example"},"json":{"n":1,"s":["{{username}}"],"o":{"p":null}},"follow_redirects":true,"expect":{"status":"200,204","contains":"ok","not_contains":"error","regex":"^o","max_ms":2000},"extract":[{"name":"h","from":"header","header":"ETag","regex":"\"(.*)\""},{"name":"j","from":"json","path":"$.data[0][1].x-y"}]},{"url":"{{h}}","body":"{{j}}"},{"url":"rel?x={{j}}","form":{}}],"username":"u","password":"p","follow_redirects":false,"tls_verify":false,"user_agent":"me","cert_expiry_warning_days":30,"cert_expiry_error_days":7,"response_time_warning_ms":100,"response_time_error_ms":200}`, ""},
	{"bad target", "ftp://app.example.com", txSettings(loginSteps), "target"},
	{"relative target", "/login", txSettings(loginSteps), "target"},
	{"no steps", "https://a.example", `{}`, "settings.steps"},
	{"empty steps", "https://a.example", `{"steps":[]}`, "settings.steps"},
	{"steps not a list", "https://a.example", `{"steps":"[]"}`, "settings.steps"},
	{"too many steps", "https://a.example", `{"steps":[` + strings.Repeat(`{"url":"/"},`, 20) + `{"url":"/"}]}`, "settings.steps"},
	{"step not an object", "https://a.example", `{"steps":[1]}`, "settings.steps[0]"},
	{"unknown variable in form", "https://a.example", `{"steps":[{"url":"/login"},{"url":"/login","form":{"user":"{{username}}","csrf":"{{csrf}}"}}]}`, "settings.steps[1].form.csrf"},
	{"own extraction used", "https://a.example", txStep1(`{"url":"/{{id}}","extract":[{"name":"id","from":"body","regex":"id=(\\d+)"}]}`), "settings.steps[0].url"},
	{"unknown variable in json", "https://a.example", txStep1(`{"url":"/","json":{"user":{"name":"{{who}}"}}}`), "settings.steps[0].json.user.name"},
	{"unknown variable in json list", "https://a.example", txStep1(`{"url":"/","json":[1,"{{who}}"]}`), "settings.steps[0].json[1]"},
	{"unknown variable in header", "https://a.example", txStep1(`{"url":"/","headers":{"X-Token":"Bearer {{token}}"}}`), "settings.steps[0].headers.X-Token"},
	{"unknown variable in body", "https://a.example", txStep1(`{"url":"/","body":"a={{b}}"}`), "settings.steps[0].body"},
	{"unknown variable in expect", "https://a.example", txStep1(`{"url":"/","expect":{"contains":"{{who}}"}}`), "settings.steps[0].expect.contains"},
	{"bad expect regex", "https://a.example", txStep1(`{"url":"/","expect":{"regex":"(unclosed"}}`), "settings.steps[0].expect.regex"},
	{"bad extract regex", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"body","regex":"[a-"}]}`), "settings.steps[0].extract[0].regex"},
	{"bad json path", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"json","path":"data..id"}]}`), "settings.steps[0].extract[0].path"},
	{"bad json index", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"json","path":"items[-1]"}]}`), "settings.steps[0].extract[0].path"},
	{"empty json path", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"json"}]}`), "settings.steps[0].extract[0].path"},
	{"bad method", "https://a.example", txStep1(`{"url":"/","method":"BREW"}`), "settings.steps[0].method"},
	{"bad status", "https://a.example", txStep1(`{"url":"/","expect":{"status":"2xx"}}`), "settings.steps[0].expect.status"},
	{"negative max ms", "https://a.example", txStep1(`{"url":"/","expect":{"max_ms":-1}}`), "settings.steps[0].expect.max_ms"},
	{"max ms not a number", "https://a.example", txStep1(`{"url":"/","expect":{"max_ms":"2s"}}`), "settings.steps[0].expect.max_ms"},
	{"unknown step field", "https://a.example", txStep1(`{"url":"/","wait":"1s"}`), "settings.steps[0].wait"},
	{"unknown expect field", "https://a.example", txStep1(`{"url":"/","expect":{"status_code":200}}`), "settings.steps[0].expect.status_code"},
	{"unknown extract field", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"body","regex":"x","group":2}]}`), "settings.steps[0].extract[0].group"},
	{"two bodies", "https://a.example", txStep1(`{"url":"/","form":{"a":"b"},"body":"c"}`), "settings.steps[0]"},
	{"no url", "https://a.example", txStep1(`{"name":"home"}`), "settings.steps[0].url"},
	{"bad url scheme", "https://a.example", txStep1(`{"url":"ftp://a.example/"}`), "settings.steps[0].url"},
	{"url of another host without scheme", "https://a.example", txStep1(`{"url":"//evil.example/login"}`), "settings.steps[0].url"},
	{"url without host", "https://a.example", txStep1(`{"url":"https:///x"}`), "settings.steps[0].url"},
	{"variable chooses the host", "https://a.example", txStep1(`{"url":"https://{{username}}.evil.example/?p={{password}}"}`), "settings.steps[0].url"},
	{"variable chooses the host header", "https://a.example", txStep1(`{"url":"/","headers":{"host":"{{username}}.example"}}`), "settings.steps[0].headers.host"},
	{"variable chooses the port", "https://a.example", txStep1(`{"url":"https://a.example:{{username}}/"}`), "settings.steps[0].url"},
	{"name on two lines", "https://a.example", txStep1(`{"name":"a\nb","url":"/"}`), "settings.steps[0].name"},
	{"bad header", "https://a.example", txStep1(`{"url":"/","headers":{"X Y":"z"}}`), "settings.steps[0].headers"},
	{"header value newline", "https://a.example", txStep1(`{"url":"/","headers":{"X":"a\r\nB: c"}}`), "settings.steps[0].headers"},
	{"reserved extract name", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"password","from":"body","regex":"x"}]}`), "settings.steps[0].extract[0].name"},
	{"bad extract name", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"1x","from":"body","regex":"x"}]}`), "settings.steps[0].extract[0].name"},
	{"bad extract source", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"cookie"}]}`), "settings.steps[0].extract[0].from"},
	{"body extract without regex", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"body"}]}`), "settings.steps[0].extract[0].regex"},
	{"header extract without header", "https://a.example", txStep1(`{"url":"/","extract":[{"name":"x","from":"header"}]}`), "settings.steps[0].extract[0].header"},
	{"follow wrong type", "https://a.example", txStep1(`{"url":"/","follow_redirects":"no"}`), "settings.steps[0].follow_redirects"},
	{"username newline", "https://a.example", `{"steps":[{"url":"/"}],"username":"a\nb"}`, "settings.username"},
	{"cert warning below error", "https://a.example", `{"steps":[{"url":"/"}],"cert_expiry_warning_days":1,"cert_expiry_error_days":3}`, "settings.cert_expiry_warning_days"},
	{"response time", "https://a.example", `{"steps":[{"url":"/"}],"response_time_error_ms":-1}`, "settings.response_time_error_ms"},
	{"missing ca file", "https://a.example", `{"steps":[{"url":"/"}],"ca_file":"/nonexistent/ca.pem"}`, "settings.ca_file"},
	{"unknown setting", "https://a.example", `{"steps":[{"url":"/"}],"skip_verify":true}`, "settings.skip_verify"},
}

// TestTransactionValidationMessages: the messages a person reads at save.
func TestTransactionValidationMessages(t *testing.T) {
	cases := []struct {
		settings string
		want     string
	}{
		{`{"steps":[{"url":"/login"},{"url":"/login","form":{"csrf":"{{csrf}}"}}]}`,
			"settings.steps[1].form.csrf: {{csrf}} is not defined here: no earlier step extracts it (defined here: {{password}}, {{username}})"},
		{`{"steps":[` + strings.Repeat(`{"url":"/"},`, 20) + `{"url":"/"}]}`, "settings.steps: has 21 steps; at most 20 are allowed"},
		{txStep1(`{"url":"/","extract":[{"name":"x","from":"json","path":"data..id"}]}`),
			`settings.steps[0].extract[0].path: not a JSON path such as data.items[0].id: "data..id": a name is missing before a dot`},
		{txStep1(`{"url":"/","expect":{"max_ms":"2s"}}`), `settings.steps[0].expect.max_ms: must be a number, not a JSON string`},
		{txStep1(`{"url":"/","expect":{"regex":"(x"}}`), "settings.steps[0].expect.regex: not a valid regular expression: missing closing ): `(x`"},
		{txStep1(`{"url":"https://{{username}}.evil.example/"}`),
			"settings.steps[0].url: a variable may not choose the host: write the scheme, host and port out, e.g. https://app.example/{{path}}"},
	}
	for _, tc := range cases {
		_, err := New("transaction", "https://a.example", json.RawMessage(tc.settings))
		var se *SettingError
		if !errors.As(err, &se) || err.Error() != tc.want {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
	}
}

func TestJSONPath(t *testing.T) {
	doc := map[string]any{"data": map[string]any{"items": []any{map[string]any{"id": json.Number("7")}, "two"}, "x.y": true}}
	cases := []struct {
		path  string
		want  string // fmt of the value; "" for not found
		error bool
	}{
		{path: "data.items[0].id", want: "7"},
		{path: "$.data.items[1]", want: "two"},
		{path: "$", want: "map[data:map[items:[map[id:7] two] x.y:true]]"},
		{path: "data.items[2]"},
		{path: "data.items.id"},
		{path: "data[0]"},
		{path: "nothing"},
		{path: "data.", error: true},
		{path: ".data", error: true},
		{path: "data[x]", error: true},
		{path: "data[0", error: true},
		{path: "data]", error: true},
		{path: "data[0]x", error: true},
		{path: "", error: true},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			p, err := parseJSONPath(tc.path)
			if tc.error {
				if err == nil {
					t.Fatalf("parsed %q as %v, want an error", tc.path, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v, ok := p.lookup(doc)
			got := ""
			if ok {
				got = fmt.Sprint(v)
			}
			if got != tc.want {
				t.Fatalf("lookup %q = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	vars := map[string]string{"a": "1", "b_2": "two"}
	cases := []struct{ in, want, refs string }{
		{"plain", "plain", ""},
		{"{{a}}", "1", "a"},
		{"x{{ a }}y{{b_2}}z{{a}}", "x1ytwoz1", "a,b_2,a"},
		{"{{a b}} {{}} {a} {{-x}}", "{{a b}} {{}} {a} {{-x}}", ""},
	}
	for _, tc := range cases {
		tm := parseTemplate(tc.in)
		if got := tm.expand(vars); got != tc.want {
			t.Errorf("expand %q = %q, want %q", tc.in, got, tc.want)
		}
		if got := strings.Join(tm.refs(), ","); got != tc.refs {
			t.Errorf("refs %q = %q, want %q", tc.in, got, tc.refs)
		}
	}
	j, err := newTxJSON(map[string]any{"u": "{{a}}&<{{b_2}}>", "n": json.Number("1.50"), "l": []any{"{{a}}"}}, func(string, txTemplate) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := j.encode(map[string]string{"a": `"q"`, "b_2": "x"})
	if want := `{"l":["\"q\""],"n":1.50,"u":"\"q\"&<x>"}`; err != nil || string(b) != want {
		t.Errorf("json body %s (%v), want %s", b, err, want)
	}
}
