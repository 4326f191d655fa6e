package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

func TestGatewayHosts(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"defaults", Config{AgentListen: ":8443"}, []string{"localhost", "127.0.0.1", "::1"}},
		{"public url and listen address", Config{PublicURL: "https://Monitor.example:8080", AgentListen: "10.0.0.5:8443"},
			[]string{"localhost", "127.0.0.1", "::1", "Monitor.example", "10.0.0.5"}},
		{"no repeats", Config{PublicURL: "http://localhost:8080", AgentListen: "[::1]:8443"}, []string{"localhost", "127.0.0.1", "::1"}},
		{"unspecified IPv6", Config{AgentListen: "[::]:8443"}, []string{"localhost", "127.0.0.1", "::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gatewayHosts(tt.cfg); !slices.Equal(got, tt.want) {
				t.Errorf("gatewayHosts = %q, want %q", got, tt.want)
			}
		})
	}
}

// gatewayClient serves ts's gateway on a loopback port and returns its
// URL and an HTTPS client pinned to the server's CA.
func gatewayClient(t *testing.T, ts *testServer) (string, *tls.Config) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.gateway.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway: %v", err)
		}
	})
	cfg, err := pki.PinnedClientConfig(ts.ca.Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + ln.Addr().String(), cfg
}

// gwPost posts msg and decodes the answer into out.
func gwPost(t *testing.T, c *http.Client, url string, msg, out any) int {
	t.Helper()
	body, _ := json.Marshal(msg)
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestAgentGatewayEndToEnd joins an agent to a whole server, assigns it
// a monitor by name, and checks its results land in the store at the
// agent's location.
func TestAgentGatewayEndToEnd(t *testing.T) {
	ts := newTestServer(t, true)
	url, tlsCfg := gatewayClient(t, ts)

	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	jt := store.JoinToken{SecretHash: hash[:], UsesLeft: 1, ExpiresAt: time.Now().Add(time.Hour)}
	if err := ts.db.CreateJoinToken(&jt, store.System); err != nil {
		t.Fatal(err)
	}
	key, keyPEM, _ := pki.NewKey()
	csr, _ := pki.NewCSR(key, "db1")
	join := wire.JoinRequest{TokenID: jt.ID, Secret: secret, CSR: string(csr), Name: "db1", Hostname: "db1", OS: "linux", Arch: "amd64", Version: "dev"}
	var joined wire.JoinResponse
	if status := gwPost(t, &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}, url+wire.PathJoin, join, &joined); status != http.StatusCreated {
		t.Fatalf("join: status %d", status)
	}
	cert, err := tls.X509KeyPair([]byte(joined.Certificate), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg.Certificates = []tls.Certificate{cert}
	agent := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}, Timeout: time.Minute}

	m := store.Monitor{Name: "mem", Type: "memory", Interval: time.Minute, Timeout: 10 * time.Second, Locations: []string{"DB1"}, Settings: json.RawMessage(`{}`)}
	if err := ts.db.CreateMonitor(&m, store.System); err != nil {
		t.Fatal(err)
	}
	ts.monitorChanged(m)

	p := wire.Poll{Version: "dev", Hostname: "db1", OS: "linux", Arch: "amd64", Time: time.Now()}
	var as wire.Assignments
	if status := gwPost(t, agent, url+wire.PathAssignments, p, &as); status != http.StatusOK {
		t.Fatalf("poll: status %d", status)
	}
	if len(as.Monitors) != 1 || as.Monitors[0].ID != m.ID {
		t.Fatalf("assignments = %+v, want monitor %s", as, m.ID)
	}
	if !ts.agentOnline(joined.AgentID) {
		t.Error("agent not online after polling")
	}

	at := time.Now().Truncate(time.Millisecond)
	batch := wire.ResultBatch{Seq: 1, Results: []wire.MonitorResult{{MonitorID: m.ID, Result: checks.Result{At: at, Status: checks.StatusOK, Message: "fine"}}}}
	var ack wire.ResultAck
	if status := gwPost(t, agent, url+wire.PathResults, batch, &ack); status != http.StatusOK || ack.Accepted != 1 {
		t.Fatalf("results: status %d ack %+v", status, ack)
	}
	got, err := ts.db.Results(m.ID, store.ResultQuery{Location: joined.AgentID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].At.Equal(at) || got[0].Location != joined.AgentID {
		t.Errorf("stored results = %+v", got)
	}

	// A paused monitor is taken off the agent: the version changes.
	m.Paused = true
	if err := ts.db.UpdateMonitor(&m, store.System); err != nil {
		t.Fatal(err)
	}
	ts.monitorChanged(m)
	p.AssignmentsVersion = as.Version
	var next wire.Assignments
	if status := gwPost(t, agent, url+wire.PathAssignments, p, &next); status != http.StatusOK || len(next.Monitors) != 0 {
		t.Errorf("after pause: status %d assignments %+v", status, next)
	}
}

// TestAgentAssignmentsFollowChanges walks the assignment index through
// the changes that must reach an agent: monitors located by id and by
// name (as the store may hold them), a pause, an agent that joins after
// the index was built, a rename, a delete.
func TestAgentAssignmentsFollowChanges(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	edge := ts.addAgent(t, "edge-1")
	monitors := map[string]store.Monitor{}
	put := func(m store.Monitor) {
		t.Helper()
		var err error
		if m.ID == "" {
			err = ts.db.CreateMonitor(&m, store.System)
		} else {
			err = ts.db.UpdateMonitor(&m, store.System)
		}
		if err != nil {
			t.Fatal(err)
		}
		ts.monitorChanged(m)
		monitors[m.Name] = m
	}
	for _, m := range []store.Monitor{
		{Name: "by id", Locations: []string{edge.ID}},
		{Name: "by name", Locations: []string{"EDGE-1"}},
		{Name: "twice", Locations: []string{"edge-1", edge.ID}},
		{Name: "paused", Locations: []string{edge.ID}, Paused: true},
		{Name: "for an agent not joined yet", Locations: []string{"edge-2"}},
	} {
		m.Type, m.Interval, m.Timeout, m.Settings = "memory", time.Minute, 10*time.Second, json.RawMessage(`{}`)
		put(m)
	}
	idx := &assignIndex{}
	steps := []struct {
		name   string
		change func() string // returns the agent to ask about
		want   []string
	}{
		{"by id and by name, assigned once, not paused", func() string { return edge.ID },
			[]string{"by id", "by name", "twice"}},
		{"an agent that joined after the build", func() string { return ts.addAgent(t, "edge-2").ID },
			[]string{"for an agent not joined yet"}},
		{"a rename takes away what named the old name only", func() string {
			ts.call(t, tok, "PUT", "/api/v1/agents/"+edge.ID, `{"name":"edge-9"}`, http.StatusOK, nil)
			return edge.ID
		}, []string{"by id", "twice"}},
		{"unpaused", func() string {
			m := monitors["paused"]
			m.Paused = false
			put(m)
			return edge.ID
		}, []string{"by id", "twice", "paused"}},
		{"deleted", func() string {
			if err := ts.deleteMonitor(monitors["by id"].ID, store.System); err != nil {
				t.Fatal(err)
			}
			return edge.ID
		}, []string{"twice", "paused"}},
	}
	versions := map[string]bool{}
	for _, s := range steps {
		version, list := ts.agentAssignments(idx, s.change())
		var got []string
		for _, a := range list {
			for name, m := range monitors {
				if m.ID == a.ID {
					got = append(got, name)
				}
			}
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("%s: assigned %q, want %q", s.name, got, s.want)
		}
		if versions[version] {
			t.Errorf("%s: version %s was given before for other assignments", s.name, version)
		}
		versions[version] = true
	}
}
