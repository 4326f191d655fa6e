package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
)

// PEM block types.
const (
	pemCert       = "CERTIFICATE"
	pemPrivateKey = "PRIVATE KEY"
	pemECKey      = "EC PRIVATE KEY"
	pemCSR        = "CERTIFICATE REQUEST"
	pemCSRLegacy  = "NEW CERTIFICATE REQUEST"
)

// NewKey returns a new ECDSA P-256 private key and its PKCS#8 PEM encoding,
// ready to be written to a 0600 file.
func NewKey() (crypto.Signer, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: generate key: %w", err)
	}
	pemBytes, err := marshalKey(key)
	if err != nil {
		return nil, nil, err
	}
	return key, pemBytes, nil
}

// marshalKey returns the PKCS#8 PEM encoding of key.
func marshalKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: marshal key: %w", err)
	}
	return encodePEM(pemPrivateKey, der), nil
}

// ParseKey parses a PEM private key: PKCS#8 ("PRIVATE KEY") or SEC 1
// ("EC PRIVATE KEY"). Only ECDSA P-256 and Ed25519 keys are accepted, the
// same types the CA signs for.
func ParseKey(pemBytes []byte) (crypto.Signer, error) {
	key, err := parseKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("pki: parse key: %w", err)
	}
	return key, nil
}

// parseKey is ParseKey without the package prefix on errors.
func parseKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM data found")
	}
	var parsed any
	var err error
	switch block.Type {
	case pemPrivateKey:
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case pemECKey:
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block is %q, want %q", block.Type, pemPrivateKey)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%T is not a signing key", parsed)
	}
	if err := checkPublicKey(signer.Public()); err != nil {
		return nil, err
	}
	return signer, nil
}

// NewCSR returns a PEM certificate signing request for key with Subject CN
// name. The CA ignores the CN (it names the certificate after the agent id
// it assigns) but it makes the request readable to a person.
func NewCSR(key crypto.Signer, name string) ([]byte, error) {
	if key == nil {
		return nil, errors.New("pki: new CSR: no key")
	}
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("pki: new CSR: %w", err)
	}
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, fmt.Errorf("pki: new CSR: %w", err)
	}
	return encodePEM(pemCSR, der), nil
}

// checkPublicKey accepts ECDSA P-256 and Ed25519 public keys only.
func checkPublicKey(pub any) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA key on curve %s, want P-256", k.Curve.Params().Name)
		}
		return nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return errors.New("malformed Ed25519 key")
		}
		return nil
	default:
		return fmt.Errorf("%s keys are not accepted, only ECDSA P-256 and Ed25519", keyTypeName(pub))
	}
}

// keyTypeName names a public key's type for error messages.
func keyTypeName(pub any) string {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "Ed25519"
	case *rsa.PublicKey:
		return "RSA"
	case nil:
		return "unknown"
	default:
		return fmt.Sprintf("%T", pub)
	}
}

// sameKey reports whether the certificate's public key belongs to key.
func sameKey(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// checkName validates a name that goes into a certificate subject: present,
// not too long, and without control characters.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if len(name) > 128 {
		return fmt.Errorf("name is %d bytes, longer than 128", len(name))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("name %q contains a control or invalid character", name)
		}
	}
	return nil
}
