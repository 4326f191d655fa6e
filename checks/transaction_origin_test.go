package checks

import "testing"

func TestStepURLOrigin(t *testing.T) {
	cases := []struct {
		url    string
		want   txOrigin
		refuse bool
	}{
		{url: "/login"},
		{url: "rel?x={{id}}"},
		{url: "{{next}}"},
		{url: "/{{path}}"},
		{url: "https://App.Example/x", want: "https://app.example:443"},
		{url: "http://app.example:8080/{{id}}?q={{password}}", want: "http://app.example:8080"},
		{url: "https://u:{{password}}@app.example/", want: "https://app.example:443"},
		{url: "http://[::1]/x", want: "http://[::1]:80"},
		{url: "https://{{username}}.evil.example/", refuse: true},
		{url: "https://app.example{{x}}/", refuse: true},
		{url: "https://app.example:{{port}}/", refuse: true},
		{url: "//{{host}}/x", refuse: true},
		{url: "http{{s}}://app.example/", refuse: true},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			got, msg := stepURLOrigin(parseTemplate(tc.url))
			if tc.refuse != (msg != "") || got != tc.want {
				t.Fatalf("got %q %q, want %q (refused: %v)", got, msg, tc.want, tc.refuse)
			}
		})
	}
}
