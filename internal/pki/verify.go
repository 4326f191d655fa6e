package pki

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxChain bounds how many certificates a server may present.
const maxChain = 8

// ErrPinMismatch is returned (wrapped) when the server does not present a
// CA with the pinned fingerprint, or its certificate does not chain to it.
var ErrPinMismatch = errors.New("server is not the one the token names")

// ParseFingerprint normalises a SHA-256 fingerprint: 64 hex digits, either
// case, optionally separated by colons. It returns the lowercase form that
// Fingerprint produces.
func ParseFingerprint(fp string) (string, error) {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(fp), ":", ""))
	if len(s) != 64 {
		return "", fmt.Errorf("pki: fingerprint has %d hex digits, want 64", len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("pki: fingerprint %q is not hexadecimal", fp)
	}
	return s, nil
}

// PinnedClientConfig returns the tls.Config an agent uses to reach the
// server: TLS 1.3 only, and the server accepted only if it proves to be
// issued by the CA whose SHA-256 fingerprint is fp (see the package
// documentation for the exact check). The check is a VerifyConnection
// callback, so it also runs on resumed sessions. InsecureSkipVerify is set
// only to switch off verification against the system roots, which the
// pinned check replaces. Callers add the agent's client certificate to
// Certificates and change nothing else.
func PinnedClientConfig(fp string) (*tls.Config, error) {
	pin, err := ParseFingerprint(fp)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // replaced by VerifyConnection below, never alone
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyPinned(pin, cs.PeerCertificates, time.Now())
		},
	}, nil
}

// PinnedVerifier returns a tls.Config.VerifyPeerCertificate callback that
// accepts the server only if its presented chain contains the CA whose
// SHA-256 fingerprint is fp and the leaf verifies up to that CA for
// ServerAuth. The config using it must set InsecureSkipVerify (so Go does
// not demand system roots) and must not set ClientSessionCache (Go skips
// VerifyPeerCertificate on resumed sessions). A malformed fp yields a
// callback that refuses every server. Prefer PinnedClientConfig, which
// gets these details right.
func PinnedVerifier(fp string) func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	pin, pinErr := ParseFingerprint(fp)
	return func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		if pinErr != nil {
			return pinErr
		}
		if len(rawCerts) > maxChain {
			return fmt.Errorf("pki: server presented %d certificates, more than %d", len(rawCerts), maxChain)
		}
		certs := make([]*x509.Certificate, 0, len(rawCerts))
		for i, raw := range rawCerts {
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				return fmt.Errorf("pki: server certificate %d: %w", i, err)
			}
			certs = append(certs, c)
		}
		return verifyPinned(pin, certs, time.Now())
	}
}

// verifyPinned checks a presented chain (leaf first) against the pin.
func verifyPinned(pin string, certs []*x509.Certificate, now time.Time) error {
	if len(certs) == 0 {
		return errors.New("pki: server presented no certificate")
	}
	if len(certs) > maxChain {
		return fmt.Errorf("pki: server presented %d certificates, more than %d", len(certs), maxChain)
	}
	leaf := certs[0]
	if leaf.IsCA {
		return fmt.Errorf("pki: %w: its certificate is a CA certificate, not a server certificate", ErrPinMismatch)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	found := false
	for _, c := range certs[1:] {
		if Fingerprint(c.Raw) == pin {
			roots.AddCert(c)
			found = true
			continue
		}
		inter.AddCert(c)
	}
	if !found {
		return fmt.Errorf("pki: %w: it presented CA %s, the token names CA %s",
			ErrPinMismatch, Fingerprint(certs[len(certs)-1].Raw), pin)
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("pki: %w: %w", ErrPinMismatch, err)
	}
	return nil
}
