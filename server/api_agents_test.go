package server

import (
	"crypto/sha256"
	"crypto/tls"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// joinThroughGateway joins an agent called name through the gateway at
// url and returns its id and a client that authenticates as it.
func joinThroughGateway(t *testing.T, ts *testServer, url string, pinned *tls.Config, name string) (string, *http.Client) {
	t.Helper()
	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	jt := store.JoinToken{SecretHash: hash[:], UsesLeft: 1, ExpiresAt: time.Now().Add(time.Hour)}
	if err := ts.db.CreateJoinToken(&jt, store.System); err != nil {
		t.Fatal(err)
	}
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, name)
	if err != nil {
		t.Fatal(err)
	}
	join := wire.JoinRequest{TokenID: jt.ID, Secret: secret, CSR: string(csr), Name: name, Hostname: name, OS: "linux", Arch: "amd64", Version: "dev"}
	var joined wire.JoinResponse
	if status := gwPost(t, &http.Client{Transport: &http.Transport{TLSClientConfig: pinned.Clone()}}, url+wire.PathJoin, join, &joined); status != http.StatusCreated {
		t.Fatalf("join: status %d", status)
	}
	cert, err := tls.X509KeyPair([]byte(joined.Certificate), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg := pinned.Clone()
	cfg.Certificates = []tls.Certificate{cert}
	return joined.AgentID, &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: time.Minute}
}

// TestAPIAgentPresence polls as an agent and checks that the API and the
// agents page show what only the poll told: the allowed commands, the
// spool, and a last seen newer than the store's (heartbeats reach the
// store every 15 s) that agrees with the status.
func TestAPIAgentPresence(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	url, pinned := gatewayClient(t, ts)
	id, agent := joinThroughGateway(t, ts, url, pinned, "db1")
	idle := ts.addAgent(t, "idle")
	gone := ts.addAgent(t, "gone")
	if err := ts.db.RevokeAgent(gone.ID, systemActor, time.Now()); err != nil {
		t.Fatal(err)
	}

	p := wire.Poll{Version: "dev", Hostname: "db1", OS: "linux", Arch: "amd64", Time: time.Now(),
		Commands: []string{"backup-age", "raid"}, Spool: wire.SpoolStats{Records: 12, Bytes: 4096, Dropped: 3}}
	if status := gwPost(t, agent, url+wire.PathAssignments, p, nil); status != http.StatusOK {
		t.Fatalf("poll: status %d", status)
	}
	polled := ts.gateway.Presence(id).LastSeen
	stored, err := ts.db.Agent(id)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.LastSeen.Before(polled) {
		t.Fatalf("stored last seen %v is not older than the poll at %v: the test shows nothing", stored.LastSeen, polled)
	}

	raw := string(ts.call(t, tok, "GET", "/api/v1/agents", nil, http.StatusOK, nil))
	for _, want := range []string{
		`"commands":["backup-age","raid"]`, `"spool":{"pending":12,"bytes":4096,"dropped":3}`,
		`"commands":[],"spool":null`, // idle and gone: none reported, no poll since the start
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("agents %s lack %s", raw, want)
		}
	}
	var list []agentOutput
	ts.call(t, tok, "GET", "/api/v1/agents", nil, http.StatusOK, &list)
	byID := map[string]agentOutput{}
	for _, a := range list {
		byID[a.ID] = a
	}
	got := byID[id]
	if got.Status != "online" || got.LastSeen == nil || !got.LastSeen.Equal(polled) || got.Address != "127.0.0.1" {
		t.Errorf("polled agent %+v: want online, last seen at the poll %v, from 127.0.0.1", got, polled)
	}
	if a := byID[idle.ID]; a.Status != "offline" || a.LastSeen != nil || a.Spool != nil {
		t.Errorf("idle agent %+v: want offline, never seen, no spool", a)
	}
	if a := byID[gone.ID]; a.Status != "revoked" || a.Spool != nil {
		t.Errorf("revoked agent %+v: want revoked without a spool", a)
	}

	b := newBrowser(t, ts)
	b.login()
	_, page := b.get("/agents")
	for _, want := range []string{
		"Shell commands allowed here: <span class=\"mono\">backup-age, raid</span>",
		"none (add files to allow.d on the host)",
		"12 results waiting to be sent (4.0 KiB); 3 dropped since the agent started",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("agents page lacks %s:\n%s", want, page)
		}
	}
}

// TestAgentLiveStatusAgreesWithLastSeen checks status and last seen come
// from the same time: the newer of the store's and the gateway's.
func TestAgentLiveStatusAgreesWithLastSeen(t *testing.T) {
	ts := newTestServer(t, true)
	now := time.Now()
	revoked := now
	tests := []struct {
		name       string
		agent      store.Agent
		wantStatus string
	}{
		{"never seen", store.Agent{ID: "901"}, "offline"},
		{"seen a moment ago", store.Agent{ID: "902", LastSeen: now.Add(-time.Second)}, "online"},
		{"seen just within the limit", store.Agent{ID: "903", LastSeen: now.Add(-ts.gateway.OfflineAfter())}, "online"},
		{"seen just before the limit", store.Agent{ID: "904", LastSeen: now.Add(-ts.gateway.OfflineAfter() - time.Second)}, "offline"},
		{"revoked while polling", store.Agent{ID: "905", LastSeen: now, RevokedAt: &revoked}, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := ts.agentLive(tt.agent, now)
			if live.status != tt.wantStatus || !live.lastSeen.Equal(tt.agent.LastSeen) {
				t.Errorf("status %q last seen %v, want %q and %v", live.status, live.lastSeen, tt.wantStatus, tt.agent.LastSeen)
			}
		})
	}
}

func TestAPIAgentUpdateMessages(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	a := ts.addAgent(t, "web-1")
	ts.addAgent(t, "db-1")
	tests := []struct {
		name, body, field, want string
		status                  int
	}{
		{"empty name", `{"name":"  "}`, "name", "an agent needs a name", 400},
		{"long name", `{"name":"` + strings.Repeat("n", wire.MaxNameLen+1) + `"}`, "name", "at most 200 characters", 400},
		{"taken without case", `{"name":"DB-1"}`, "name", `another agent is already called "db-1"`, 409},
		{"long label", `{"labels":["` + strings.Repeat("l", maxLabelLen+1) + `"]}`, "labels", "label", 400},
		{"comma in label", `{"labels":["a,b"]}`, "labels", `label "a,b" must not contain a comma`, 400},
		{"too many labels", `{"labels":[` + strings.Repeat(`"x",`, maxAgentLabels) + `"y"]}`, "labels", "at most 32 labels", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			ts.call(t, tok, "PUT", "/api/v1/agents/"+a.ID, tt.body, tt.status, &e)
			if e.Field != tt.field || !strings.Contains(e.Error, tt.want) || strings.Contains(e.Error, "tag") {
				t.Errorf("error %+v, want field %q and a message with %q (and no 'tag')", e, tt.field, tt.want)
			}
		})
	}
	got, err := ts.db.Agent(a.ID)
	if err != nil || got.Name != "web-1" || len(got.Labels) != 0 {
		t.Errorf("after refused updates: %+v (%v), want it unchanged", got, err)
	}
}

func TestJoinTokenChecks(t *testing.T) {
	tests := []struct {
		ttl, uses, note string
		wantErrs        []string // fields in error
	}{
		{"", "", "", nil},
		{"1m", "1", "rack 4", nil},
		{"720h", "1000", strings.Repeat("é", maxTokenNote), nil},
		{"59s", "0", "", []string{"ttl", "uses"}},
		{"721h", "1001", strings.Repeat("n", maxTokenNote+1), []string{"note", "ttl", "uses"}},
		{"tomorrow", "one", "", []string{"ttl", "uses"}},
	}
	for _, tt := range tests {
		t.Run(tt.ttl+"/"+tt.uses, func(t *testing.T) {
			form := ui.JoinTokenForm{TTL: tt.ttl, Uses: tt.uses, Note: tt.note}
			_, errs := checkJoinTokenForm(form)
			var fields []string
			for f, msg := range errs {
				fields = append(fields, f)
				if strings.Contains(msg, "ttl") || !strings.Contains(msg, ": must") {
					t.Errorf("%s: message %q is not in the page's words", f, msg)
				}
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tt.wantErrs) {
				t.Errorf("errors in %q, want %q", fields, tt.wantErrs)
			}
		})
	}
}

func TestJoinCommandHost(t *testing.T) {
	tests := []struct{ hostport, want string }{
		{"monitor.lan:8080", "monitor.lan"},
		{"monitor.lan", "monitor.lan"},
		{"[fd00::1]:8080", "fd00::1"},
		{"192.0.2.7:8080", "192.0.2.7"},
		{"", ""},
		{"evil;rm -rf /:8080", ""},
		{"a$(id):80", ""},
	}
	for _, tt := range tests {
		if got := hostOnly(tt.hostport); got != tt.want {
			t.Errorf("hostOnly(%q) = %q, want %q", tt.hostport, got, tt.want)
		}
	}
	s := &Server{cfg: Config{AgentListen: ":8443"}}
	if got := s.agentURL("monitor.lan:8080"); got != "https://monitor.lan:8443" {
		t.Errorf("agentURL without --public-url = %q", got)
	}
	if got := s.agentURL("evil;x"); got != "https://localhost:8443" {
		t.Errorf("agentURL of a hostile Host = %q", got)
	}
	s.cfg.PublicURL = "https://vigil.example.com"
	if got := s.agentURL("monitor.lan:8080"); got != "https://vigil.example.com:8443" {
		t.Errorf("agentURL with --public-url = %q", got)
	}
}
