package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// caValidity is how long a new CA certificate is valid.
const caValidity = 10 * 365 * 24 * time.Hour

// clockSkew is how far back NotBefore is set, so a certificate is valid at
// once on a peer whose clock runs a little behind.
const clockSkew = 5 * time.Minute

// CA is the server's own certificate authority, kept under the data
// directory. It is safe for concurrent use; its methods do not change it.
type CA struct {
	cert        *x509.Certificate
	key         crypto.Signer
	certPEM     []byte
	fingerprint string
}

// LoadOrCreate loads ca.crt and ca.key from dir, or creates them when
// neither exists: an ECDSA P-256 key (file mode 0600) and a self-signed
// certificate valid for 10 years with CN "Vigil CA <random suffix>", each
// written atomically. dir is created (mode 0700) if missing.
//
// A key file readable or writable by group or others is refused, not
// tightened (see the package documentation). A key without a certificate is
// what an interrupted first start leaves; since no certificate, and so no
// fingerprint, was ever published, a certificate is then created for that
// key. A certificate without its key is an error.
func LoadOrCreate(dir string) (*CA, error) {
	if dir == "" {
		return nil, errors.New("pki: no data directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pki: create %s: %w", dir, err)
	}
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	haveCert, err := exists(certPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	haveKey, err := exists(keyPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	switch {
	case haveCert && haveKey:
		return loadCA(certPath, keyPath)
	case haveCert:
		return nil, fmt.Errorf("pki: %s exists but its key %s is missing; restore the key from a backup", certPath, keyPath)
	case haveKey:
		key, err := loadKeyFile(keyPath)
		if err != nil {
			return nil, err
		}
		return createCA(certPath, "", key)
	default:
		key, _, err := NewKey()
		if err != nil {
			return nil, err
		}
		return createCA(certPath, keyPath, key)
	}
}

// loadCA reads and checks an existing CA.
func loadCA(certPath, keyPath string) (*CA, error) {
	key, err := loadKeyFile(keyPath)
	if err != nil {
		return nil, err
	}
	data, err := readFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("pki: read CA certificate: %w", err)
	}
	cert, err := parseCertPEM(data)
	if err != nil {
		return nil, fmt.Errorf("pki: CA certificate %s: %w", certPath, err)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("pki: %s is not a CA certificate", certPath)
	}
	if !sameKey(cert, key) {
		return nil, fmt.Errorf("pki: %s does not belong to the key in %s", certPath, keyPath)
	}
	if now := time.Now(); now.After(cert.NotAfter) {
		return nil, fmt.Errorf("pki: CA certificate %s expired on %s", certPath, cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return newCA(cert, key), nil
}

// loadKeyFile reads a private key file after checking its permissions.
func loadKeyFile(path string) (crypto.Signer, error) {
	if err := checkKeyPerm(path); err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("pki: read key: %w", err)
	}
	key, err := parseKey(data)
	if err != nil {
		return nil, fmt.Errorf("pki: key file %s: %w", path, err)
	}
	return key, nil
}

// createCA makes a self-signed CA certificate for key and writes it to
// certPath, after writing the key to keyPath unless keyPath is empty. The
// key goes first so that the certificate, whose fingerprint is what others
// learn, never exists without its key.
func createCA(certPath, keyPath string, key crypto.Signer) (*CA, error) {
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("pki: random name: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Vigil CA " + hex.EncodeToString(suffix)},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse new CA certificate: %w", err)
	}
	if keyPath != "" {
		keyPEM, err := marshalKey(key)
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
			return nil, fmt.Errorf("pki: write CA key: %w", err)
		}
	}
	if err := writeFileAtomic(certPath, encodePEM(pemCert, der), 0o644); err != nil {
		return nil, fmt.Errorf("pki: write CA certificate: %w", err)
	}
	return newCA(cert, key), nil
}

// newCA fills in the derived fields.
func newCA(cert *x509.Certificate, key crypto.Signer) *CA {
	return &CA{cert: cert, key: key, certPEM: encodePEM(pemCert, cert.Raw), fingerprint: Fingerprint(cert.Raw)}
}

// Fingerprint returns the lowercase hex SHA-256 of the CA certificate's
// DER, the value a join token carries.
func (ca *CA) Fingerprint() string { return ca.fingerprint }

// CertPEM returns the CA certificate in PEM form. The slice is a copy.
func (ca *CA) CertPEM() []byte { return append([]byte(nil), ca.certPEM...) }

// Certificate returns the parsed CA certificate. Callers must not modify it.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// Pool returns a new pool holding only the CA certificate, for a TLS
// server's ClientCAs.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool
}

// Fingerprint returns the lowercase hex SHA-256 of a certificate's DER.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// SerialString returns a certificate's serial number in the form
// SignAgentCSR returns: lowercase hex without leading zeros.
func SerialString(c *x509.Certificate) string {
	if c == nil || c.SerialNumber == nil {
		return ""
	}
	return c.SerialNumber.Text(16)
}

// randomSerial returns a random positive serial number of up to 128 bits.
func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("pki: random serial: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

// parseCertPEM parses one PEM certificate.
func parseCertPEM(data []byte) (*x509.Certificate, error) {
	der, err := decodePEM(data, pemCert)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
