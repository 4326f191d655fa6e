package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// newTestCA creates a CA in a fresh temporary directory and returns it with
// the directory.
func newTestCA(t *testing.T) (*CA, string) {
	t.Helper()
	dir := t.TempDir()
	ca, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	return ca, dir
}

// csrFor returns a PEM CSR for key, built directly so that key types NewCSR
// would not be asked for (RSA, P-384) can be tested too.
func csrFor(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "host"}}, key)
	if err != nil {
		t.Fatalf("create CSR: %v", err)
	}
	return encodePEM(pemCSR, der)
}

func mustECKey(t testing.TB, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEd25519(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// agentCert returns a tls.Certificate for a new agent key signed by ca.
func agentCert(t *testing.T, ca *CA, id string) tls.Certificate {
	t.Helper()
	key, keyPEM, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := NewCSR(key, "host")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, _, err := ca.SignAgentCSR(csr, id, 90*24*time.Hour)
	if err != nil {
		t.Fatalf("SignAgentCSR: %v", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("X509KeyPair: %v", err)
	}
	return pair
}

// serverCert returns the gateway certificate of ca for 127.0.0.1/localhost.
func serverCert(t *testing.T, ca *CA) tls.Certificate {
	t.Helper()
	c, err := ca.ServerCertificate(t.TempDir(), []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatalf("ServerCertificate: %v", err)
	}
	return c
}

func mustBig(t *testing.T, hex string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		t.Fatalf("bad hex %q", hex)
	}
	return n
}
