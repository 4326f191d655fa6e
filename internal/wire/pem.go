package wire

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
)

// Caps on the PEM fields. A P-256 or Ed25519 CSR is well under 1 KiB and a
// certificate under 2 KiB; the caps leave room for RSA keys and long names.
const (
	MaxCSRLen   = 16 << 10 // one CERTIFICATE REQUEST block
	MaxCertLen  = 32 << 10 // a certificate chain
	MaxCertsPEM = 8        // certificates in one chain or CA bundle
)

// PEM block types.
const (
	pemCSR  = "CERTIFICATE REQUEST"
	pemCert = "CERTIFICATE"
)

// checkCSR accepts exactly one PEM "CERTIFICATE REQUEST" block whose
// content parses as a PKCS #10 request. The signature is checked by the
// CA when it signs, not here.
func checkCSR(field, s string) error {
	if s == "" {
		return bad(field, "must not be empty")
	}
	if len(s) > MaxCSRLen {
		return bad(field, "must be at most %d bytes, is %d", MaxCSRLen, len(s))
	}
	block, rest := pem.Decode([]byte(s))
	if block == nil {
		return bad(field, "must be a PEM %q block", pemCSR)
	}
	if block.Type != pemCSR {
		return bad(field, "must be a PEM %q block, not %q", pemCSR, block.Type)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return bad(field, "must hold one PEM block and nothing after it")
	}
	if _, err := x509.ParseCertificateRequest(block.Bytes); err != nil {
		return bad(field, "does not parse as a certificate request: %v", err)
	}
	return nil
}

// checkCerts accepts 1..MaxCertsPEM PEM "CERTIFICATE" blocks, each an
// X.509 certificate, and nothing else.
func checkCerts(field, s string) error {
	if s == "" {
		return bad(field, "must not be empty")
	}
	if len(s) > MaxCertLen {
		return bad(field, "must be at most %d bytes, is %d", MaxCertLen, len(s))
	}
	rest := []byte(s)
	for n := 0; ; n++ {
		if len(bytes.TrimSpace(rest)) == 0 {
			if n == 0 {
				return bad(field, "must hold a PEM %q block", pemCert)
			}
			return nil
		}
		if n == MaxCertsPEM {
			return bad(field, "must hold at most %d certificates", MaxCertsPEM)
		}
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return bad(field, "certificate %d: must be a PEM %q block", n+1, pemCert)
		}
		if block.Type != pemCert {
			return bad(field, "certificate %d: must be a PEM %q block, not %q", n+1, pemCert, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return bad(field, "certificate %d: does not parse: %v", n+1, err)
		}
	}
}
