package checks

import "testing"

func TestTxSecretHide(t *testing.T) {
	cases := []struct{ name, pw, msg, want string }{
		{"no password", "", `body does not contain "x"`, `body does not contain "x"`},
		{"as it is", "hunter2", "GET /?p=hunter2 failed", "GET /?p={{password}} failed"},
		{"escaped by %q", `pa"ss`, `body does not contain "pa\"ss"`, `body does not contain "{{password}}"`},
		{"URL-encoded", "a b&c", "url /?p=a+b%26c and /a%20b&c", "url /?p={{password}} and /{{password}}"},
		{"HTML-escaped", "<b>", "body holds &lt;b&gt;", "body holds {{password}}"},
		{"inside what it puts in", "pass", "pass and password", "{{password}} and {{password}}word"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := newTxSecret(tc.pw).hide(tc.msg); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSendsPassword(t *testing.T) {
	vars := map[string]string{"username": "u", "password": "pw-123", "echo": "<p>pw-123</p>", "a": "pw-", "b": "123", "other": "x"}
	cases := []struct {
		step string
		want bool
	}{
		{`{"url":"/","form":{"p":"{{password}}"}}`, true},
		{`{"url":"/","headers":{"X-E":"{{echo}}"}}`, true},
		{`{"url":"/?p={{a}}{{b}}"}`, true},
		{`{"url":"/","json":{"k":["{{a}}{{b}}"]}}`, true},
		{`{"url":"/","body":"{{other}} {{a}}"}`, false},
		{`{"url":"/{{username}}","expect":{"contains":"{{password}}"}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.step, func(t *testing.T) {
			st, err := decodeStep([]byte(tc.step), 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.sendsPassword(vars, newTxSecret(vars["password"])); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if (&txStep{url: parseTemplate("/{{password}}")}).sendsPassword(map[string]string{"password": ""}, newTxSecret("")) {
		t.Error("an empty password counts as sent")
	}
}
