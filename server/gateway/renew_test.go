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

func TestRenew(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, "a")
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.RenewResponse
	if status := e.post(a.http, wire.PathRenew, wire.RenewRequest{CSR: string(csr)}, &resp); status != http.StatusOK {
		t.Fatalf("renew: status %d", status)
	}
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.db.Agent(a.id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.CertSerial == a.serial || len(stored.PreviousCerts) != 1 {
		t.Errorf("after renewal: serial %q previous %+v", stored.CertSerial, stored.PreviousCerts)
	}
	for name, c := range map[string]*http.Client{"new": e.client(cert), "old": a.http} {
		if status := e.post(c, wire.PathAssignments, poll(""), nil); status != http.StatusOK {
			t.Errorf("%s certificate: status %d", name, status)
		}
	}
	// Revoking the agent covers the certificate the renewal replaced too.
	if err := e.db.RevokeAgent(a.id, store.System, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*http.Client{"new": e.client(cert), "old": a.http} {
		if status := e.post(c, wire.PathAssignments, poll(""), nil); status != http.StatusForbidden {
			t.Errorf("%s certificate after revocation: status %d", name, status)
		}
	}
}
