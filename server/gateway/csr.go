package gateway

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// checkCSR refuses a CSR the CA would refuse to sign (bad signature, a
// key other than ECDSA P-256 or Ed25519) before a join token is spent on
// it. The CA checks again when it signs.
func checkCSR(csrPEM string) error {
	block, _ := pem.Decode([]byte(csrPEM))
	if block == nil {
		return badField("csr", "the CSR is not PEM")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return badField("csr", "the CSR does not parse")
	}
	if err := csr.CheckSignature(); err != nil {
		return badField("csr", "the CSR's signature does not verify")
	}
	switch k := csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return nil
		}
	case ed25519.PublicKey:
		return nil
	}
	return badField("csr", "the CSR's key must be ECDSA P-256 or Ed25519")
}

// badField is a 400 naming field.
func badField(field, msg string) error {
	f := failf(wire.CodeBadRequest, "%s", msg)
	f.body.Field = field
	return f
}
