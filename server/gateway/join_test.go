package gateway

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

func TestJoin(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("web1")

	stored, err := e.db.Agent(a.id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "web1" || stored.Hostname != "host1" || stored.OS != "linux" || stored.CertSerial == "" {
		t.Errorf("stored agent = %+v", stored)
	}
	leaf, err := x509.ParseCertificate(a.cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: e.ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("certificate does not chain to the CA: %v", err)
	}
	if leaf.Subject.CommonName != a.id {
		t.Errorf("CN = %q, want the agent id %q", leaf.Subject.CommonName, a.id)
	}
	// The agent now authenticates with its certificate.
	var as wire.Assignments
	if status := e.post(a.http, wire.PathAssignments, poll(""), &as); status != http.StatusOK {
		t.Fatalf("poll with the new certificate: status %d", status)
	}
	if as.Version != "v1" {
		t.Errorf("assignments version = %q", as.Version)
	}
	if !e.gw.Online(a.id) {
		t.Error("agent not online after its poll")
	}
}

func TestJoinAnswersCA(t *testing.T) {
	e := newEnv(t, nil)
	req, _ := e.joinRequest(e.token(1, time.Hour), "x")
	var resp wire.JoinResponse
	if status := e.post(e.client(), wire.PathJoin, &req, &resp); status != http.StatusCreated {
		t.Fatalf("status %d", status)
	}
	block, _ := pem.Decode([]byte(resp.CA))
	if block == nil || string(pem.EncodeToMemory(block)) != string(e.ca.CertPEM()) {
		t.Errorf("CA in the answer is not the server's CA")
	}
}

func TestJoinRefusesBadTokens(t *testing.T) {
	e := newEnv(t, nil)
	used := e.token(1, time.Hour)
	if req, _ := e.joinRequest(used, "first"); e.post(e.client(), wire.PathJoin, &req, nil) != http.StatusCreated {
		t.Fatal("first join refused")
	}
	revoked := e.token(1, time.Hour)
	if err := e.db.RevokeJoinToken(revoked.ID, store.System, time.Now()); err != nil {
		t.Fatal(err)
	}
	wrong := e.token(1, time.Hour)
	wrong.Secret = wire.NewJoinSecret()
	unknown := e.token(1, time.Hour)
	unknown.ID = "zzzz"

	tests := []struct {
		name string
		tok  wire.JoinToken
		code string
	}{
		{"reused", used, wire.CodeTokenUsedUp},
		{"expired", e.token(1, -time.Minute), wire.CodeTokenExpired},
		{"revoked", revoked, wire.CodeTokenRevoked},
		{"wrong secret", wrong, wire.CodeTokenInvalid},
		{"unknown id", unknown, wire.CodeTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := e.joinRequest(tt.tok, tt.name)
			var werr wire.Error
			if status := e.post(e.client(), wire.PathJoin, &req, &werr); status != http.StatusForbidden || werr.Code != tt.code {
				t.Errorf("status %d code %q, want 403 %q", status, werr.Code, tt.code)
			}
		})
	}
	agents, err := e.db.Agents()
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 1 {
		t.Errorf("%d agents stored, want only the first", len(agents))
	}
}

func TestJoinNameClash(t *testing.T) {
	e := newEnv(t, nil)
	for _, want := range []string{"db", "db-2", "db-3"} {
		if a := e.join("db"); a.name != want {
			t.Errorf("name = %q, want %q", a.name, want)
		}
	}
}

func TestJoinAudited(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("audited")
	entries, err := e.db.Audit(store.AuditQuery{Target: "agent:" + a.id})
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Action == "agent.create" && en.Actor == joinActor && en.IP == "127.0.0.1" {
			return
		}
	}
	t.Errorf("no agent.create by %s from 127.0.0.1 for %s in %+v", joinActor, a.id, entries)
}

func TestJoinRefusesBadCSRBeforeSpendingToken(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token(1, time.Hour)
	req, _ := e.joinRequest(tok, "x")
	other, _ := e.joinRequest(tok, "y")
	// A CSR whose signature does not verify: flip a bit near its end.
	block, _ := pem.Decode([]byte(req.CSR))
	der := append([]byte(nil), block.Bytes...)
	der[len(der)-3] ^= 0x01
	req.CSR = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	if status := e.post(e.client(), wire.PathJoin, &req, nil); status != http.StatusBadRequest {
		t.Errorf("bad CSR: status %d, want 400", status)
	}
	if status := e.post(e.client(), wire.PathJoin, &other, nil); status != http.StatusCreated {
		t.Errorf("the token was spent by a refused CSR: status %d", status)
	}
}
