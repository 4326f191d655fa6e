package pki

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

// rawCSR is the outer structure of a PKCS#10 request, for tampering.
type rawCSR struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

func splitCSR(t *testing.T, csrPEM []byte) rawCSR {
	t.Helper()
	block, _ := pem.Decode(csrPEM)
	var r rawCSR
	if _, err := asn1.Unmarshal(block.Bytes, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func joinCSR(t *testing.T, r rawCSR) []byte {
	t.Helper()
	der, err := asn1.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return encodePEM(pemCSR, der)
}

func TestSignAgentCSRRefuses(t *testing.T) {
	ca, _ := newTestCA(t)
	key, _, _ := NewKey()
	good, _ := NewCSR(key, "web-1")

	flipped := splitCSR(t, good)
	flipped.Signature.Bytes = append([]byte(nil), flipped.Signature.Bytes...)
	flipped.Signature.Bytes[len(flipped.Signature.Bytes)/2] ^= 0x40

	// A CSR for another key: key B's request body carrying key A's signature.
	otherKey, _, _ := NewKey()
	swapped := splitCSR(t, csrFor(t, otherKey))
	swapped.Signature = splitCSR(t, good).Signature

	tests := []struct {
		name     string
		csr      []byte
		id       string
		validity time.Duration
		wantErr  string
	}{
		{name: "bad signature", csr: joinCSR(t, flipped), wantErr: "signature"},
		{name: "csr for a different key", csr: joinCSR(t, swapped), wantErr: "signature"},
		{name: "rsa key", csr: csrFor(t, mustRSA(t)), wantErr: "RSA keys are not accepted"},
		{name: "p384 key", csr: csrFor(t, mustECKey(t, elliptic.P384())), wantErr: "want P-256"},
		{name: "not pem", csr: []byte("hello"), wantErr: "no PEM data"},
		{name: "empty", csr: nil, wantErr: "empty CSR"},
		{name: "certificate instead", csr: ca.CertPEM(), wantErr: `"CERTIFICATE"`},
		{name: "bad der", csr: encodePEM(pemCSR, []byte{0x30, 0x01, 0x00}), wantErr: "parse CSR"},
		{name: "too large", csr: []byte(strings.Repeat("A", maxCSRSize+1)), wantErr: "more than"},
		{name: "empty agent id", csr: good, id: "-", wantErr: "agent id"},
		{name: "agent id with newline", csr: good, id: "a\nb", wantErr: "agent id"},
		{name: "zero validity", csr: good, validity: -1, wantErr: "validity"},
		{name: "validity too long", csr: good, validity: 400 * 24 * time.Hour, wantErr: "validity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, validity := tc.id, tc.validity
			switch id {
			case "":
				id = "agent-1"
			case "-":
				id = ""
			}
			switch validity {
			case 0:
				validity = time.Hour
			case -1:
				validity = 0
			}
			certPEM, serial, _, err := ca.SignAgentCSR(tc.csr, id, validity)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if certPEM != nil || serial != "" {
				t.Errorf("a refused CSR still produced a certificate")
			}
		})
	}
	if _, _, _, err := ca.SignAgentCSR(good, "agent-1", time.Hour); err != nil {
		t.Fatalf("the untampered CSR is refused too, so the cases above prove nothing: %v", err)
	}
}

func TestSignAgentCSRIssues(t *testing.T) {
	ca, _ := newTestCA(t)
	other, _ := newTestCA(t)
	tests := []struct {
		name string
		csr  []byte
	}{
		{name: "p256", csr: csrFor(t, mustECKey(t, elliptic.P256()))},
		{name: "ed25519", csr: csrFor(t, mustEd25519(t))},
		{name: "legacy pem type", csr: func() []byte {
			block, _ := pem.Decode(csrFor(t, mustECKey(t, elliptic.P256())))
			return encodePEM(pemCSRLegacy, block.Bytes)
		}()},
	}
	serials := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			certPEM, serial, notAfter, err := ca.SignAgentCSR(tc.csr, "agent-42", 90*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := parseCertPEM(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			csr, _ := parseCSR(tc.csr)
			checkAgentCert(t, cert, csr, start)
			if serial != SerialString(cert) || serials[serial] {
				t.Errorf("serial %q: returned form differs from SerialString or repeats", serial)
			}
			serials[serial] = true
			if !notAfter.Equal(cert.NotAfter) {
				t.Errorf("notAfter = %v, certificate says %v", notAfter, cert.NotAfter)
			}
			client := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			if _, err := cert.Verify(client); err != nil {
				t.Errorf("does not verify as a client certificate: %v", err)
			}
			server := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			if _, err := cert.Verify(server); err == nil {
				t.Errorf("verifies as a server certificate")
			}
			client.Roots = other.Pool()
			if _, err := cert.Verify(client); err == nil {
				t.Errorf("verifies against another CA")
			}
		})
	}
}

// checkAgentCert asserts the fields SignAgentCSR promises.
func checkAgentCert(t *testing.T, cert *x509.Certificate, csr *x509.CertificateRequest, start time.Time) {
	t.Helper()
	if cert.Subject.CommonName != "agent-42" {
		t.Errorf("CN = %q, want the agent id", cert.Subject.CommonName)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || cert.IsCA {
		t.Errorf("ExtKeyUsage = %v, IsCA = %v; want ClientAuth only", cert.ExtKeyUsage, cert.IsCA)
	}
	if cert.SerialNumber.BitLen() > 128 || cert.SerialNumber.BitLen() < 64 {
		t.Errorf("serial has %d bits, want a random 128-bit number", cert.SerialNumber.BitLen())
	}
	if skew := start.Sub(cert.NotBefore); skew < 4*time.Minute || skew > 6*time.Minute {
		t.Errorf("NotBefore is %v before issue, want about 5 minutes", skew)
	}
	if life := cert.NotAfter.Sub(start); life < 90*24*time.Hour-time.Minute || life > 90*24*time.Hour+time.Minute {
		t.Errorf("valid for %v, want 90 days", life)
	}
	if pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(csr.PublicKey) {
		t.Errorf("certificate is not for the CSR's key")
	}
}

func TestSerialString(t *testing.T) {
	tests := []struct {
		name string
		cert *x509.Certificate
		want string
	}{
		{name: "nil", cert: nil, want: ""},
		{name: "no serial", cert: &x509.Certificate{}, want: ""},
		{name: "value", cert: &x509.Certificate{SerialNumber: mustBig(t, "00ABCDEF")}, want: "abcdef"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SerialString(tc.cert); got != tc.want {
				t.Errorf("SerialString = %q, want %q", got, tc.want)
			}
		})
	}
}
