package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"strings"
	"testing"
)

func TestNewKeyRoundTrip(t *testing.T) {
	key, keyPEM, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		t.Fatalf("NewKey returned %T, want an ECDSA P-256 key", key)
	}
	if !strings.HasPrefix(string(keyPEM), "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("key PEM is not PKCS#8: %.40q", keyPEM)
	}
	back, err := ParseKey(keyPEM)
	if err != nil {
		t.Fatalf("ParseKey: %v", err)
	}
	if !ec.Equal(back) {
		t.Errorf("parsed key differs from the generated one")
	}
}

func TestParseKey(t *testing.T) {
	pkcs8 := func(k crypto.Signer) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return encodePEM(pemPrivateKey, der)
	}
	p256 := mustECKey(t, elliptic.P256())
	sec1, err := x509.MarshalECPrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pem     []byte
		wantErr string
	}{
		{name: "pkcs8 p256", pem: pkcs8(p256)},
		{name: "sec1 p256", pem: encodePEM(pemECKey, sec1)},
		{name: "pkcs8 ed25519", pem: pkcs8(mustEd25519(t))},
		{name: "rsa", pem: pkcs8(mustRSA(t)), wantErr: "RSA keys are not accepted"},
		{name: "p384", pem: pkcs8(mustECKey(t, elliptic.P384())), wantErr: "want P-256"},
		{name: "not pem", pem: []byte("hello"), wantErr: "no PEM data"},
		{name: "certificate", pem: encodePEM(pemCert, []byte{1, 2, 3}), wantErr: `"CERTIFICATE"`},
		{name: "bad der", pem: encodePEM(pemPrivateKey, []byte{0x30, 0x03, 1, 2, 3}), wantErr: "parse key"},
		{name: "empty", pem: nil, wantErr: "no PEM data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParseKey(tc.pem)
			if tc.wantErr == "" {
				if err != nil || key == nil {
					t.Fatalf("ParseKey: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewCSR(t *testing.T) {
	key, _, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		key     crypto.Signer
		cn      string
		wantErr string
	}{
		{name: "p256", key: key, cn: "web-1"},
		{name: "ed25519", key: mustEd25519(t), cn: "web-2"},
		{name: "empty name", key: key, cn: "", wantErr: "empty name"},
		{name: "control char", key: key, cn: "a\nb", wantErr: "control"},
		{name: "no key", key: nil, cn: "x", wantErr: "no key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csrPEM, err := NewCSR(tc.key, tc.cn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			csr, err := parseCSR(csrPEM)
			if err != nil {
				t.Fatalf("parseCSR: %v", err)
			}
			if csr.Subject.CommonName != tc.cn {
				t.Errorf("CN = %q, want %q", csr.Subject.CommonName, tc.cn)
			}
			pub, _ := tc.key.Public().(interface{ Equal(crypto.PublicKey) bool })
			if !pub.Equal(csr.PublicKey) {
				t.Errorf("CSR carries another public key")
			}
		})
	}
}
