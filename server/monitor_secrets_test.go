package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-monitor/vigil/checks"
)

// secretTestType is a check type for these tests only, with two secret
// settings; its factory records what it was given, so a test sees whether
// the checker gets the plain text.
const secretTestType = "secrettest"

var secretFactory settingsRecorder

type settingsRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *settingsRecorder) add(raw json.RawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, string(raw))
}

// saw reports whether any settings given to the factory contain s.
func (r *settingsRecorder) saw(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.seen, func(x string) bool { return strings.Contains(x, s) })
}

type secretTestChecker struct{ user string }

func (c secretTestChecker) Check(context.Context, string) checks.Result {
	return checks.Result{Status: checks.StatusOK, Message: "logged in as " + c.user}
}

func init() {
	checks.Register(checks.Type{
		Name: secretTestType, Title: "Secret test", Scope: checks.ScopeExternal,
		Settings: []checks.Setting{
			{Name: "user", Kind: "string"},
			{Name: "password", Kind: "string", Secret: true},
			{Name: "token", Kind: "string", Secret: true},
			{Name: "url", Kind: "string"},
		},
		TargetHelp: "host:port",
		ValidateTarget: func(target string) error {
			_, _, err := net.SplitHostPort(target)
			return err
		},
		New: func(raw json.RawMessage) (checks.Checker, error) {
			secretFactory.add(raw)
			var s struct{ User, Password, Token, URL string }
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, &checks.SettingError{Field: "settings", Msg: err.Error()}
			}
			if s.Password == "reject-me" {
				return nil, &checks.SettingError{Field: "settings.password", Msg: "this password is refused"}
			}
			return secretTestChecker{user: s.User}, nil
		},
	})
}

// storedSecret opens a monitor's stored secret setting ("" when unset),
// failing the test when the store holds it in plain text.
func (ts *testServer) storedSecret(t *testing.T, id, name string) string {
	t.Helper()
	m, err := ts.db.Monitor(id)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(m.Settings, &fields); err != nil {
		t.Fatal(err)
	}
	v, _ := fields[name].(string)
	if v == "" {
		return ""
	}
	if !strings.HasPrefix(v, "sealed:v1:") {
		t.Fatalf("settings.%s is stored in plain text: %s", name, m.Settings)
	}
	plain, err := ts.seal.Open(v, sealMonitorSetting(name))
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// dataFileText is every file of the data directory but the key, as text:
// what a copy of the database would reveal.
func dataFileText(t *testing.T, ts *testServer) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(ts.cfg.DataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == secretKeyFile {
			return err
		}
		raw, err := os.ReadFile(path)
		b.Write(raw)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMonitorSecretsThroughTheAPI(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	const pw, pw2 = "PLAIN-pw-7Q", "NEW-pw-9Z"
	var out monitorOutput
	ts.call(t, admin, "POST", "/api/v1/monitors", `{"name":"db","type":"secrettest","target":"db.example:3306",
		"settings":{"user":"vigil","password":"`+pw+`"}}`, http.StatusCreated, &out)
	id := out.ID

	t.Run("never returned, only named", func(t *testing.T) {
		for _, o := range []monitorOutput{out, ts.getMonitor(t, admin, id)} {
			if strings.Contains(string(o.Settings), "password") || !slices.Equal(o.SecretsSet, []string{"password"}) {
				t.Errorf("settings %s, secrets_set %q: want no password, secrets_set [password]", o.Settings, o.SecretsSet)
			}
		}
		var list []monitorOutput
		raw := ts.call(t, admin, "GET", "/api/v1/monitors", nil, http.StatusOK, &list)
		mustNotContain(t, pw, string(raw))
		mustNotContain(t, "sealed:", string(raw))
	})
	t.Run("sealed at rest, plain for the checker", func(t *testing.T) {
		if got := ts.storedSecret(t, id, "password"); got != pw {
			t.Errorf("stored password opens to %q", got)
		}
		if !secretFactory.saw(`"password":"` + pw + `"`) {
			t.Error("the checker factory never saw the plain password")
		}
		var e errorBody
		ts.call(t, admin, "PUT", "/api/v1/monitors/"+id, `{"settings":{"password":"reject-me"}}`, http.StatusBadRequest, &e)
		if e.Field != "settings.password" {
			t.Errorf("a password the checker refuses: %+v, want field settings.password", e)
		}
	})

	steps := []struct {
		name, body string
		wantField  string // "" when accepted
		want       string // the stored password after the step
	}{
		{"settings left out", `{"interval":"45s"}`, "", pw},
		{"other settings sent", `{"settings":{"user":"other"}}`, "", pw},
		{"null keeps it", `{"settings":{"user":"other","password":null}}`, "", pw},
		{"sent back as a GET shows it", "GET", "", pw},
		{"host in capitals", `{"target":"DB.EXAMPLE:3306"}`, "", pw},
		{"another host", `{"target":"evil.example:3306"}`, "settings.password", pw},
		{"another port", `{"target":"db.example:3307"}`, "settings.password", pw},
		{"a url setting to a new host", `{"settings":{"url":"https://evil.example/collect"}}`, "settings.password", pw},
		{"another host with the password", `{"target":"db2.example:3306","settings":{"password":"` + pw2 + `"}}`, "", pw2},
		{"the other secret set", `{"settings":{"password":null,"token":"tk"}}`, "", pw2},
		{"removed", `{"settings":{"password":""}}`, "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			body := st.body
			if body == "GET" {
				raw, _ := json.Marshal(ts.getMonitor(t, admin, id))
				body = string(raw)
			}
			before, _ := ts.db.Monitor(id)
			if st.wantField == "" {
				ts.call(t, admin, "PUT", "/api/v1/monitors/"+id, body, http.StatusOK, nil)
			} else {
				var e errorBody
				ts.call(t, admin, "PUT", "/api/v1/monitors/"+id, body, http.StatusBadRequest, &e)
				if e.Field != st.wantField || !strings.Contains(e.Error, "now points to another host, so the stored password is not sent there") {
					t.Errorf("error %+v, want field %s saying the host changed", e, st.wantField)
				}
				if after, _ := ts.db.Monitor(id); string(after.Settings) != string(before.Settings) || after.Target != before.Target {
					t.Errorf("the refused change was stored: %s %s", after.Target, after.Settings)
				}
			}
			if got := ts.storedSecret(t, id, "password"); got != st.want {
				t.Errorf("password now %q, want %q", got, st.want)
			}
		})
	}
	t.Run("a new type drops the old one's secrets", func(t *testing.T) {
		ts.call(t, admin, "PUT", "/api/v1/monitors/"+id, `{"type":"tcp","target":"db2.example:3306","settings":{}}`, http.StatusOK, &out)
		if m, _ := ts.db.Monitor(id); string(m.Settings) != "{}" || len(out.SecretsSet) != 0 {
			t.Errorf("after the type change: stored %s, secrets_set %q", m.Settings, out.SecretsSet)
		}
	})
	t.Run("no plain text in the audit log or the data directory", func(t *testing.T) {
		audit := ts.auditText(t, admin)
		if !strings.Contains(audit, "monitor.update") {
			t.Fatal("the audit log has no monitor.update")
		}
		for _, secret := range []string{pw, pw2, "reject-me"} {
			mustNotContain(t, secret, audit, dataFileText(t, ts))
		}
	})
}

func (ts *testServer) getMonitor(t *testing.T, token, id string) monitorOutput {
	t.Helper()
	var out monitorOutput
	ts.call(t, token, "GET", "/api/v1/monitors/"+id, nil, http.StatusOK, &out)
	return out
}

// An agent gets the plain text (over mutual TLS), opened once per change
// of the monitor, not once per poll.
func TestAgentAssignmentCarriesOpenedSecrets(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	edge := ts.addAgent(t, "edge-1")
	var out monitorOutput
	ts.call(t, admin, "POST", "/api/v1/monitors", `{"name":"db","type":"secrettest","target":"db.example:3306","locations":["edge-1"],
		"settings":{"user":"vigil","password":"agent-pw-1"}}`, http.StatusCreated, &out)
	idx := &assignIndex{}
	settingsOf := func() map[string]string {
		t.Helper()
		_, list := ts.agentAssignments(idx, edge.ID)
		if len(list) != 1 {
			t.Fatalf("%d assignments, want 1", len(list))
		}
		var s map[string]string
		if err := json.Unmarshal(list[0].Settings, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := settingsOf(); s["password"] != "agent-pw-1" || s["user"] != "vigil" {
		t.Errorf("assignment settings %v, want the plain password", s)
	}
	// The same backing array: the opened settings of the build before.
	first := idx.opened.cur[out.ID].opened
	ts.agentsChanged() // a new generation: the index is built again
	settingsOf()
	if again := idx.opened.cur[out.ID].opened; &again[0] != &first[0] {
		t.Error("an unchanged monitor's settings were opened again")
	}
	ts.call(t, admin, "PUT", "/api/v1/monitors/"+out.ID, `{"settings":{"user":"vigil","password":"agent-pw-2"}}`, http.StatusOK, nil)
	if s := settingsOf(); s["password"] != "agent-pw-2" {
		t.Errorf("after the change the agent gets %v", s)
	}
}

// TestMonitorSecretsRefusedKinds: a secret is a string; anything else is
// a 400 naming it, and nothing is stored.
func TestMonitorSecretsRefusedKinds(t *testing.T) {
	ts := newTestServer(t, true)
	admin := ts.token(t, "admin")
	for _, body := range []string{
		`{"name":"a","type":"secrettest","target":"h:1","settings":{"password":42}}`,
		`{"name":"a","type":"secrettest","target":"h:1","settings":{"password":{"x":1}}}`,
		`{"name":"a","type":"secrettest","target":"h:1","settings":{"password":"` + strings.Repeat("x", 70<<10) + `"}}`,
	} {
		var e errorBody
		ts.call(t, admin, "POST", "/api/v1/monitors", body, http.StatusBadRequest, &e)
		if e.Field != "settings.password" {
			t.Errorf("%.80s: %+v, want field settings.password", body, e)
		}
	}
	if n := ts.monitors.len(); n != 0 {
		t.Errorf("%d monitors stored", n)
	}
}
