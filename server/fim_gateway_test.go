package server

import (
	"crypto/sha256"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// fimGateway serves ts's gateway over its TLS on a loopback port, joins an agent called name and returns the
// URL and the agent's id and client.
func fimGateway(t *testing.T, ts *testServer, name string) (url, agentID string, agent *http.Client) {
	t.Helper()
	mux := ts.gateway.Handler()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, TLSConfig: ts.gateway.TLSConfig()}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	url = "https://" + ln.Addr().String()

	tlsCfg, err := pki.PinnedClientConfig(ts.ca.Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	jt := store.JoinToken{SecretHash: hash[:], UsesLeft: 1, ExpiresAt: time.Now().Add(time.Hour)}
	if err := ts.db.CreateJoinToken(&jt, store.System); err != nil {
		t.Fatal(err)
	}
	key, keyPEM, _ := pki.NewKey()
	csr, _ := pki.NewCSR(key, name)
	join := wire.JoinRequest{TokenID: jt.ID, Secret: secret, CSR: string(csr), Name: name, Hostname: name, OS: "linux", Arch: "amd64", Version: "dev"}
	var joined wire.JoinResponse
	if status := gwPost(t, &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}, url+wire.PathJoin, join, &joined); status != http.StatusCreated {
		t.Fatalf("join: status %d", status)
	}
	cert, err := tls.X509KeyPair([]byte(joined.Certificate), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg.Certificates = []tls.Certificate{cert}
	return url, joined.AgentID, &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}, Timeout: time.Minute}
}

// TestFIMThroughTheGateway is the whole server side of a file-integrity
// scan, over mutual TLS: the agent gets its policy, sends a baseline and
// a change, and the change shows in the API and on the FIM monitor.
func TestFIMThroughTheGateway(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	url, agentID, agent := fimGateway(t, ts, "db1")

	var p fimPolicyOutput
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"app","agents":["db1"],"paths":["/srv/app"],"interval":"5m"}`, http.StatusCreated, &p)

	poll := wire.Poll{Version: "dev", Hostname: "db1", OS: "linux", Arch: "amd64", Time: time.Now()}
	var as wire.Assignments
	if status := gwPost(t, agent, url+wire.PathAssignments, poll, &as); status != http.StatusOK {
		t.Fatalf("poll: status %d", status)
	}
	if len(as.FIM) != 1 || as.FIM[0].ID != p.ID || as.FIM[0].Revision != p.Revision || time.Duration(as.FIM[0].Interval) != 5*time.Minute {
		t.Fatalf("fim assignments = %+v", as.FIM)
	}
	waitFor(t, 5*time.Second, "the FIM monitor", func() bool { _, ok := ts.fimMonitorOf(agentID); return ok })
	for _, m := range as.Monitors {
		if m.Type == checks.FIMType {
			t.Errorf("the FIM monitor was sent to the agent: %+v", m)
		}
	}

	send := func(r wire.FIMReport, want int) {
		t.Helper()
		r.PolicyID, r.Started = p.ID, time.Now()
		if r.Epoch == "" {
			r.Epoch = testFIMEpoch
		}
		if r.Revision == "" {
			r.Revision = p.Revision
		}
		r.Progress.Objects = uint64(len(r.Changes))
		var ack wire.FIMAck
		if status := gwPost(t, agent, url+wire.PathFIMReport, r, &ack); status != want {
			t.Fatalf("report scan %d seq %d: status %d, want %d", r.Scan, r.Seq, status, want)
		}
		if want == http.StatusOK && (ack.Scan != r.Scan || ack.Seq != r.Seq) {
			t.Errorf("ack = %+v", ack)
		}
	}
	conf := &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("a", 64), Size: 12, Mode: 0o600, MTime: time.Unix(1.7e9, 0)}
	conf2 := *conf
	conf2.Mode = 0o666
	send(wire.FIMReport{Scan: 1, Seq: 1, Baseline: true, Changes: []fim.Change{
		{Path: "/srv/app", Kind: fim.Added, After: &fim.Object{Type: fim.TypeDir, Mode: 0o755}},
		{Path: "/srv/app/app.conf", Kind: fim.Added, After: conf}}}, http.StatusOK)
	send(wire.FIMReport{Scan: 1, Seq: 2, Baseline: true, Done: true}, http.StatusOK)
	change := wire.FIMReport{Scan: 2, Seq: 1, Done: true, Changes: []fim.Change{
		{Path: "/srv/app/app.conf", Kind: fim.Modified, Attrs: []string{fim.AttrMode}, Before: conf, After: &conf2}}}
	send(change, http.StatusOK)
	send(change, http.StatusOK) // a resend after a lost ack: acknowledged, not applied again

	var changes []fimChangeOutput
	ts.call(t, tok, "GET", "/api/v1/fim/changes?open=true&agent=db1", nil, http.StatusOK, &changes)
	if len(changes) != 1 || changes[0].Path != "/srv/app/app.conf" || changes[0].Before.Mode != 0o600 || changes[0].After.Mode != 0o666 {
		t.Fatalf("changes = %+v", changes)
	}
	ts.call(t, tok, "GET", "/api/v1/fim/policies/"+p.ID, nil, http.StatusOK, &p)
	if row := p.Agents[0]; row.Objects != 2 || row.BaselineAt == nil || row.Progress == nil || row.Progress.Scan != 2 || row.Scanning {
		t.Errorf("agent row = %+v", row)
	}
	waitFor(t, 5*time.Second, "the FIM monitor in problem", func() bool { st, _ := fimStatus(ts, agentID); return st == checks.StatusProblem })

	t.Run("an edited policy refuses reports of the old revision", func(t *testing.T) {
		var q fimPolicyOutput
		ts.call(t, tok, "PUT", "/api/v1/fim/policies/"+p.ID, `{"exclude":["/srv/app/tmp/**"]}`, http.StatusOK, &q)
		send(wire.FIMReport{Scan: 3, Seq: 1, Revision: p.Revision}, http.StatusGone)
		poll.AssignmentsVersion = as.Version
		var next wire.Assignments
		if status := gwPost(t, agent, url+wire.PathAssignments, poll, &next); status != http.StatusOK || len(next.FIM) != 1 || next.FIM[0].Revision != q.Revision {
			t.Fatalf("after the edit: status %d, fim %+v", status, next.FIM)
		}
		send(wire.FIMReport{Scan: 3, Seq: 1, Revision: q.Revision, Baseline: true, Done: true}, http.StatusOK)
	})
	t.Run("a deleted policy is gone", func(t *testing.T) {
		ts.call(t, tok, "DELETE", "/api/v1/fim/policies/"+p.ID, nil, http.StatusNoContent, nil)
		send(wire.FIMReport{Scan: 4, Seq: 1}, http.StatusGone)
	})
}
