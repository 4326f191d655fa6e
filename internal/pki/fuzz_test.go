package pki

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"testing"
	"time"
)

// FuzzSignAgentCSR feeds arbitrary bytes to the CSR path a joining agent
// reaches from the network: it must never panic, and whatever it accepts
// must be a well-formed CSR whose key ends up, alone, in a ClientAuth
// certificate for the agent id. Seeds are added here and committed under
// testdata/fuzz/FuzzSignAgentCSR.
func FuzzSignAgentCSR(f *testing.F) {
	dir := f.TempDir()
	ca, err := LoadOrCreate(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(csrFor(f, mustECKey(f, elliptic.P256())))
	f.Add(csrFor(f, mustEd25519(f)))
	f.Add(csrFor(f, mustECKey(f, elliptic.P384())))
	f.Add(ca.CertPEM())
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		certPEM, serial, notAfter, err := ca.SignAgentCSR(data, "agent-1", time.Hour)
		if err != nil {
			if certPEM != nil || serial != "" || !notAfter.IsZero() {
				t.Fatalf("error %v came with a result", err)
			}
			return
		}
		csr, err := parseCSR(data)
		if err != nil {
			t.Fatalf("accepted a CSR that parseCSR refuses: %v", err)
		}
		cert, err := parseCertPEM(certPEM)
		if err != nil {
			t.Fatalf("issued an unparsable certificate: %v", err)
		}
		if cert.Subject.CommonName != "agent-1" || cert.IsCA || len(cert.ExtKeyUsage) != 1 ||
			cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || len(cert.DNSNames)+len(cert.IPAddresses)+len(cert.URIs) != 0 {
			t.Fatalf("issued certificate carries more than the agent id and ClientAuth: %+v", cert)
		}
		if pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(csr.PublicKey) {
			t.Fatalf("certificate is not for the CSR's key")
		}
		if serial != SerialString(cert) || !bytes.Contains(certPEM, []byte("BEGIN CERTIFICATE")) {
			t.Fatalf("serial %q or PEM form is off", serial)
		}
	})
}
