package gateway

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// foreignCert is a client certificate from another CA, for an agent id
// that exists on the gateway.
func foreignCert(t *testing.T, agentID string) tls.Certificate {
	t.Helper()
	other, err := pki.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, "x")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, _, err := other.SignAgentCSR(csr, agentID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// forcingClient presents cert whatever CAs the server asks for (Go's
// client otherwise sends no certificate the server would not accept).
func (e *env) forcingClient(cert tls.Certificate) *http.Client {
	c := e.client()
	c.Transport.(*http.Transport).TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return &cert, nil
	}
	return c
}

func TestAuthRefusesWithoutValidCert(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	batch := wire.ResultBatch{Seq: 1, Results: []wire.MonitorResult{result("m1", time.Now())}}
	clients := []struct {
		name   string
		client *http.Client
		want   int // -1: the TLS handshake fails
	}{
		{"no certificate", e.client(), http.StatusForbidden},
		{"another CA", e.forcingClient(foreignCert(t, a.id)), -1},
	}
	paths := []struct {
		path string
		msg  any
	}{
		{wire.PathAssignments, poll("")},
		{wire.PathResults, batch},
		{wire.PathRenew, wire.RenewRequest{}},
	}
	for _, c := range clients {
		for _, p := range paths {
			t.Run(c.name+" "+p.path, func(t *testing.T) {
				var werr wire.Error
				status := e.post(c.client, p.path, p.msg, &werr)
				if status != c.want {
					t.Fatalf("status %d, want %d", status, c.want)
				}
				if status > 0 && werr.Code != wire.CodeUnknownAgent {
					t.Errorf("code %q, want %q", werr.Code, wire.CodeUnknownAgent)
				}
			})
		}
	}
}

func TestAuthUnknownAgent(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	// A certificate of this CA for an id no agent has.
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, "x")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, _, err := e.ca.SignAgentCSR(csr, a.id+"9", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	// And one for the agent's id that the server never recorded.
	stray, _, _, err := e.ca.SignAgentCSR(csr, a.id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	strayCert, err := tls.X509KeyPair(stray, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]tls.Certificate{"unknown id": cert, "unrecorded serial": strayCert} {
		t.Run(name, func(t *testing.T) {
			var werr wire.Error
			if status := e.post(e.client(c), wire.PathAssignments, poll(""), &werr); status != http.StatusForbidden || werr.Code != wire.CodeUnknownAgent {
				t.Errorf("status %d code %q, want 403 %q", status, werr.Code, wire.CodeUnknownAgent)
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	tests := []struct {
		name   string
		revoke func(e *env, a agent)
	}{
		{"Revoke only", func(e *env, a agent) { e.gw.Revoke(a.serial) }},
		{"store only", func(e *env, a agent) {
			if err := e.db.RevokeAgent(a.id, store.System, time.Now()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			a := e.join("a")
			if status := e.post(a.http, wire.PathAssignments, poll(""), nil); status != http.StatusOK {
				t.Fatalf("before revocation: status %d", status)
			}
			tt.revoke(e, a)
			for _, path := range []string{wire.PathAssignments, wire.PathResults} {
				var werr wire.Error
				if status := e.post(a.http, path, poll(""), &werr); status != http.StatusForbidden || werr.Code != wire.CodeRevoked {
					t.Errorf("%s after revocation: status %d code %q, want 403 %q", path, status, werr.Code, wire.CodeRevoked)
				}
			}
		})
	}
}

func TestRevokedSerialsLoadedAtStart(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	if err := e.db.RevokeAgent(a.id, store.System, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.gw.loadRevoked(); err != nil {
		t.Fatal(err)
	}
	if !e.gw.isRevoked(a.serial) {
		t.Error("revoked serial not in the set after loading")
	}
}
