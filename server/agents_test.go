package server

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// addAgent stores an agent as a join would, with a certificate serial.
func (ts *testServer) addAgent(t *testing.T, name string) store.Agent {
	t.Helper()
	a := store.Agent{
		Name: name, Hostname: name + ".example", OS: "linux", Arch: "amd64", Version: "v0.1.0",
		CertSerial: "serial-" + name, CertNotAfter: time.Now().Add(90 * 24 * time.Hour),
	}
	if err := ts.db.CreateAgent(&a, systemActor); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAPIJoinTokenValidation(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	cases := []struct {
		name, body, field string
	}{
		{"ttl too short", `{"ttl":"30s"}`, "ttl"},
		{"ttl too long", `{"ttl":"721h"}`, "ttl"},
		{"ttl not a duration", `{"ttl":"tomorrow"}`, "ttl"},
		{"no uses", `{"uses":0}`, "uses"},
		{"too many uses", `{"uses":1001}`, "uses"},
		{"uses not a number", `{"uses":"one"}`, "uses"},
		{"note too long", `{"note":"` + strings.Repeat("n", maxTokenNote+1) + `"}`, "note"},
		{"unknown field", `{"secret":"mine"}`, "secret"},
		{"not json", `{"ttl":`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			ts.call(t, tok, "POST", "/api/v1/join-tokens", c.body, http.StatusBadRequest, &e)
			if e.Field != c.field || e.Error == "" {
				t.Errorf("error %+v, want field %q and a sentence", e, c.field)
			}
		})
	}
	var list []joinTokenOutput
	ts.call(t, tok, "GET", "/api/v1/join-tokens", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("%d tokens after only invalid creates, want 0", len(list))
	}
}

func TestAPIJoinTokenLifecycle(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	var created newJoinToken
	before := time.Now()
	ts.call(t, tok, "POST", "/api/v1/join-tokens", `{"note":"rack 4"}`, http.StatusCreated, &created)
	jt, err := wire.ParseJoinToken(created.Token)
	if err != nil {
		t.Fatalf("token %q: %v", created.Token, err)
	}
	if jt.ID != created.ID || jt.Fingerprint != ts.ca.Fingerprint() {
		t.Errorf("token id %q fingerprint %q, want %q and the CA's %q", jt.ID, jt.Fingerprint, created.ID, ts.ca.Fingerprint())
	}
	// Without --public-url the command names the host the request came to.
	if want := "vigil agent --server https://127.0.0.1:8443 --token " + created.Token; created.Command != want {
		t.Errorf("command %q, want %q", created.Command, want)
	}
	if created.UsesLeft != 1 || created.Note != "rack 4" || created.ExpiresAt.Sub(before) < 23*time.Hour || created.ExpiresAt.Sub(before) > 25*time.Hour {
		t.Errorf("created %+v: want 1 use, the note and an expiry in 24h", created)
	}

	raw := string(ts.call(t, tok, "GET", "/api/v1/join-tokens", nil, http.StatusOK, nil))
	if strings.Contains(raw, jt.Secret) || strings.Contains(raw, "secret") {
		t.Errorf("the list shows the secret: %s", raw)
	}
	for _, f := range []string{`"status":"active"`, `"uses_left":1`, `"used":0`, `"created_by":"admin"`, `"note":"rack 4"`, `"revoked_at":null`} {
		if !strings.Contains(raw, f) {
			t.Errorf("list %s lacks %s", raw, f)
		}
	}

	hash := sha256.Sum256([]byte(jt.Secret))
	if _, err := ts.db.ConsumeJoinToken(jt.ID, hash[:], time.Now()); err != nil {
		t.Errorf("the stored hash is not sha256(secret): %v", err)
	}
	var list []joinTokenOutput
	ts.call(t, tok, "GET", "/api/v1/join-tokens", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Status != "used_up" {
		t.Errorf("after one join: %+v, want one used_up token", list)
	}

	ts.call(t, tok, "POST", "/api/v1/join-tokens", `{"ttl":"1h","uses":5}`, http.StatusCreated, &created)
	ts.call(t, tok, "DELETE", "/api/v1/join-tokens/"+created.ID, nil, http.StatusNoContent, nil)
	ts.call(t, tok, "GET", "/api/v1/join-tokens", nil, http.StatusOK, &list)
	if len(list) != 2 || list[0].Status != "revoked" || list[0].RevokedAt == nil {
		t.Errorf("after revoking: %+v, want the newest token revoked", list)
	}
	jt, _ = wire.ParseJoinToken(created.Token)
	hash = sha256.Sum256([]byte(jt.Secret))
	if _, err := ts.db.ConsumeJoinToken(jt.ID, hash[:], time.Now()); err == nil {
		t.Error("a revoked token still joins")
	}
	ts.call(t, tok, "DELETE", "/api/v1/join-tokens/999", nil, http.StatusNotFound, nil)
}

func TestAPIAgentRoles(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "web-1")
	viewer := ts.addUser(t, "vera", "viewer")
	editor := ts.addUser(t, "eddie", "editor")
	cases := []struct {
		token, method, path, body string
		want                      int
	}{
		{"", "GET", "/api/v1/agents", "", http.StatusUnauthorized},
		{viewer, "GET", "/api/v1/agents", "", http.StatusOK},
		{viewer, "POST", "/api/v1/join-tokens", `{}`, http.StatusForbidden},
		{editor, "POST", "/api/v1/join-tokens", `{}`, http.StatusForbidden},
		{viewer, "GET", "/api/v1/join-tokens", "", http.StatusForbidden},
		{editor, "DELETE", "/api/v1/join-tokens/1", "", http.StatusForbidden},
		{viewer, "PUT", "/api/v1/agents/" + a.ID, `{"name":"x"}`, http.StatusForbidden},
		{editor, "PUT", "/api/v1/agents/" + a.ID, `{"labels":["eu"]}`, http.StatusOK},
		{editor, "DELETE", "/api/v1/agents/" + a.ID, "", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			ts.call(t, c.token, c.method, c.path, body, c.want, nil)
		})
	}
}

func TestAPIAgents(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	a := ts.addAgent(t, "web-1")
	b := ts.addAgent(t, "db-1")
	if err := ts.db.TouchAgent(b.ID, time.Now(), "192.0.2.7:41000"); err != nil {
		t.Fatal(err)
	}
	var list []agentOutput
	ts.call(t, tok, "GET", "/api/v1/agents", nil, http.StatusOK, &list)
	// Online comes from the gateway's heartbeats (tested in
	// server/gateway); this server's gateway does not listen.
	if len(list) != 2 || list[0].Status != "offline" || list[0].LastSeen != nil || list[1].LastSeen == nil || list[1].Address != "192.0.2.7:41000" {
		t.Fatalf("agents %+v: want web-1 offline and never seen, db-1 seen from its address", list)
	}
	if list[0].Name != "web-1" || list[0].OS != "linux" || list[0].CertNotAfter == nil || list[0].Labels == nil {
		t.Errorf("agent %+v: want its facts, certificate expiry and labels []", list[0])
	}

	t.Run("update", func(t *testing.T) {
		cases := []struct {
			name, body, field string
			want              int
		}{
			{"empty name", `{"name":" "}`, "name", 400},
			{"server", `{"name":"Server"}`, "name", 400},
			{"taken", `{"name":"DB-1"}`, "name", 409},
			{"bad label", `{"labels":["a,b"]}`, "labels", 400},
			{"unknown field", `{"colour":"red"}`, "colour", 400},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var e struct{ Error, Field string }
				ts.call(t, tok, "PUT", "/api/v1/agents/"+a.ID, c.body, c.want, &e)
				if e.Field != c.field || e.Error == "" {
					t.Errorf("error %+v, want field %q", e, c.field)
				}
			})
		}
		var out agentOutput
		ts.call(t, tok, "PUT", "/api/v1/agents/"+a.ID, `{"name":"web-01","labels":["eu"," prod "]}`, http.StatusOK, &out)
		if out.Name != "web-01" || strings.Join(out.Labels, ",") != "eu,prod" {
			t.Errorf("updated %+v", out)
		}
		ts.call(t, tok, "PUT", "/api/v1/agents/web-01", `{"labels":[]}`, http.StatusOK, &out)
		if out.Name != "web-01" || len(out.Labels) != 0 {
			t.Errorf("by name: %+v, want the name kept and no labels", out)
		}
		ts.call(t, tok, "PUT", "/api/v1/agents/404", `{"name":"x"}`, http.StatusNotFound, nil)
	})

	t.Run("revoke", func(t *testing.T) {
		ts.call(t, tok, "DELETE", "/api/v1/agents/"+a.ID, nil, http.StatusNoContent, nil)
		ts.call(t, tok, "GET", "/api/v1/agents", nil, http.StatusOK, &list)
		if list[0].Status != "revoked" {
			t.Errorf("after revoke: %+v", list[0])
		}
		serials, err := ts.db.RevokedSerials()
		if err != nil || !serials[a.CertSerial] {
			t.Errorf("revoked serials %v (%v), want %s", serials, err, a.CertSerial)
		}
		ts.call(t, tok, "DELETE", "/api/v1/agents/404", nil, http.StatusNotFound, nil)
	})
}

func TestAPIMonitorAgentLocations(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	a := ts.addAgent(t, "edge-1")
	gone := ts.addAgent(t, "gone")
	if err := ts.db.RevokeAgent(gone.ID, systemActor, time.Now()); err != nil {
		t.Fatal(err)
	}
	good := []struct {
		name, body, want string
	}{
		{"server and agent name", `{"name":"a","type":"tcp","target":"h:1","locations":["server","EDGE-1"]}`, "server," + a.ID},
		{"agent id", fmt.Sprintf(`{"name":"b","type":"tcp","target":"h:1","locations":[%q]}`, a.ID), a.ID},
		{"id and name once", fmt.Sprintf(`{"name":"c","type":"tcp","target":"h:1","locations":[%q,"edge-1"]}`, a.ID), a.ID},
		{"host check on agent", `{"name":"d","type":"cpu","locations":["edge-1"]}`, a.ID},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			var m monitorOutput
			ts.call(t, tok, "POST", "/api/v1/monitors", c.body, http.StatusCreated, &m)
			if got := strings.Join(m.Locations, ","); got != c.want {
				t.Errorf("locations %s, want %s", got, c.want)
			}
		})
	}
	bad := []struct{ name, body string }{
		{"unknown agent", `{"name":"x","type":"tcp","target":"h:1","locations":["mars"]}`},
		{"revoked agent", `{"name":"x","type":"tcp","target":"h:1","locations":["gone"]}`},
		{"host check on server", `{"name":"x","type":"cpu","locations":["server","edge-1"]}`},
		{"host check without location", `{"name":"x","type":"memory"}`},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			ts.call(t, tok, "POST", "/api/v1/monitors", c.body, http.StatusBadRequest, &e)
			if e.Field != "locations" || e.Error == "" {
				t.Errorf("error %+v, want field locations", e)
			}
		})
	}
}

var tokenOnPage = regexp.MustCompile(`vgl1\.[A-Za-z0-9_.-]+`)

func TestWebAgentsPage(t *testing.T) {
	ts := newTestServer(t, true)
	a := ts.addAgent(t, "web-1")
	b := newBrowser(t, ts)
	csrf := b.login()

	resp, page := b.get("/agents")
	for _, want := range []string{`data-testid="agents"`, `data-testid="agent-row"`, `data-testid="join-token-form"`, ts.ca.Fingerprint(), "web-1.example"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
			t.Fatalf("GET /agents: %d, lacks %s:\n%s", resp.StatusCode, want, page)
		}
	}

	resp, page = b.post("/agents/join-tokens", url.Values{"csrf": {csrf}, "ttl": {"2h"}, "uses": {"3"}, "note": {"lab"}})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(page, `data-testid="join-command"`) || !strings.Contains(page, "--token vgl1.") {
		t.Fatalf("create token: %d:\n%s", resp.StatusCode, page)
	}
	secret, err := wire.ParseJoinToken(tokenOnPage.FindString(page))
	if err != nil {
		t.Fatalf("no parsable token on the page: %v", err)
	}
	_, page = b.get("/agents")
	if strings.Contains(page, secret.Secret) || !strings.Contains(page, `data-testid="token-row"`) {
		t.Errorf("the token list shows the secret again, or no token row:\n%s", page)
	}

	resp, page = b.post("/agents/join-tokens", url.Values{"csrf": {csrf}, "ttl": {"1s"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `data-testid="field-error"`) {
		t.Errorf("bad ttl: %d:\n%s", resp.StatusCode, page)
	}
	if resp, _ := b.post("/agents/join-tokens", url.Values{"ttl": {"1h"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without csrf: %d, want 403", resp.StatusCode)
	}

	steps := []struct {
		path string
		form url.Values
	}{
		{"/agents/join-tokens/" + secret.ID + "/revoke", url.Values{"csrf": {csrf}}},
		{"/agents/" + a.ID, url.Values{"csrf": {csrf}, "name": {"web-one"}, "labels": {"eu, prod"}}},
		{"/agents/" + a.ID + "/revoke", url.Values{"csrf": {csrf}}},
	}
	for _, s := range steps {
		if resp, page := b.post(s.path, s.form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d:\n%s", s.path, resp.StatusCode, page)
		}
	}
	got, err := ts.db.Agent(a.ID)
	if err != nil || got.Name != "web-one" || strings.Join(got.Labels, ",") != "eu,prod" || got.RevokedAt == nil {
		t.Errorf("agent after the forms: %+v (%v)", got, err)
	}
	jt, err := ts.db.JoinToken(secret.ID)
	if err != nil || jt.RevokedAt == nil {
		t.Errorf("token after revoke form: %+v (%v)", jt, err)
	}
}
