package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"
)

// testNow is the clock the validation tests run at.
var testNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// pems are a CSR and certificates made once per test binary.
var pems = sync.OnceValue(func() struct{ csr, cert, ca string } {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "agent"}}, key)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigil test CA"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	ca, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf := *tmpl
	leaf.SerialNumber, leaf.Subject, leaf.IsCA = big.NewInt(2), pkix.Name{CommonName: "agent"}, false
	cert, err := x509.CreateCertificate(rand.Reader, &leaf, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	enc := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	return struct{ csr, cert, ca string }{enc("CERTIFICATE REQUEST", csr), enc("CERTIFICATE", cert), enc("CERTIFICATE", ca)}
})

// wantField fails t unless err is nil for want "" or a *FieldError about
// field want.
func wantField(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v (%T), want a *FieldError about %s", err, err, want)
	}
	if fe.Field != want {
		t.Fatalf("got error about %q (%v), want one about %q", fe.Field, err, want)
	}
}

// repeat returns n copies of s.
func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}
