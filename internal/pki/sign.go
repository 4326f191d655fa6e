package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"
)

// maxAgentValidity bounds what SignAgentCSR issues, whatever it is asked.
const maxAgentValidity = 397 * 24 * time.Hour

// SignAgentCSR issues an agent's client certificate for the PEM CSR csrPEM.
// It checks the CSR's self-signature (so the requester holds the private
// key for the public key it asks a certificate for) and its key type: ECDSA
// P-256 or Ed25519 only; RSA and everything else is refused. Everything in
// the CSR except the public key is ignored: the certificate has Subject
// CN = agentID, ExtKeyUsage ClientAuth only, a random 128-bit serial, and is
// valid from 5 minutes ago (clock skew) for validity, which must be positive
// and at most 397 days, and is cut short at the CA's own expiry.
//
// It returns the certificate in PEM form, its serial as SerialString gives
// it, and its NotAfter.
func (ca *CA) SignAgentCSR(csrPEM []byte, agentID string, validity time.Duration) (certPEM []byte, serial string, notAfter time.Time, err error) {
	if err := checkName(agentID); err != nil {
		return nil, "", time.Time{}, fmt.Errorf("pki: sign agent CSR: agent id: %w", err)
	}
	if validity <= 0 || validity > maxAgentValidity {
		return nil, "", time.Time{}, fmt.Errorf("pki: sign agent CSR: validity %s is not between 0 and %s", validity, maxAgentValidity)
	}
	csr, err := parseCSR(csrPEM)
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("pki: sign agent CSR: %w", err)
	}
	sn, err := randomSerial()
	if err != nil {
		return nil, "", time.Time{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: agentID},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              ca.clampNotAfter(now.Add(validity)),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, csr.PublicKey, ca.key)
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("pki: sign agent CSR: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("pki: parse agent certificate: %w", err)
	}
	return encodePEM(pemCert, der), SerialString(cert), cert.NotAfter, nil
}

// parseCSR decodes, parses and checks a PEM CSR from outside.
func parseCSR(csrPEM []byte) (*x509.CertificateRequest, error) {
	if len(csrPEM) > maxCSRSize {
		return nil, fmt.Errorf("CSR is %d bytes, more than %d", len(csrPEM), maxCSRSize)
	}
	if len(csrPEM) == 0 {
		return nil, errors.New("empty CSR")
	}
	der, err := decodePEM(csrPEM, pemCSR, pemCSRLegacy)
	if err != nil {
		return nil, fmt.Errorf("CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("parse CSR: %w", err)
	}
	// Refuse the key type before the signature, so that an RSA CSR gets the
	// clearer of the two errors.
	if err := checkPublicKey(csr.PublicKey); err != nil {
		return nil, fmt.Errorf("CSR key: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("CSR signature does not match its public key: %w", err)
	}
	return csr, nil
}
