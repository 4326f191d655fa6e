package wire

import "strings"

// JoinRequest is the body of POST PathJoin: an agent presents its join
// token (id and secret, after checking the server's CA against the
// token's fingerprint) and a CSR for the key it made, and says what it is.
type JoinRequest struct {
	TokenID  string `json:"token_id"`
	Secret   string `json:"secret"`
	CSR      string `json:"csr"`      // PEM "CERTIFICATE REQUEST"
	Name     string `json:"name"`     // how the agent appears; defaults to Hostname on the agent
	Hostname string `json:"hostname"` // os.Hostname
	OS       string `json:"os"`       // runtime.GOOS
	Arch     string `json:"arch"`     // runtime.GOARCH
	Version  string `json:"version"`  // the agent's build version
}

// Validate checks every field; none is optional.
func (m *JoinRequest) Validate() error {
	if err := checkID("token_id", m.TokenID); err != nil {
		return err
	}
	if err := checkToken("secret", m.Secret, MaxSecretLen, isVisibleASCII, "printable ASCII without spaces"); err != nil {
		return err
	}
	if len(m.Secret) < MinSecretLen {
		return bad("secret", "must be at least %d bytes, is %d", MinSecretLen, len(m.Secret))
	}
	if err := checkCSR("csr", m.CSR); err != nil {
		return err
	}
	if err := checkName("name", m.Name, MaxNameLen); err != nil {
		return err
	}
	if strings.Trim(m.Name, "0123456789") == "" {
		// The server names agents by id or name: "7" would be agent 7.
		return bad("name", "must not be only digits: agents are also named by their id (use --name)")
	}
	return checkHost("", m.Hostname, m.OS, m.Arch, m.Version)
}

// checkHost validates the facts an agent reports about itself, in
// JoinRequest and in every Poll; prefix is "" or a parent field.
func checkHost(prefix, hostname, os, arch, version string) error {
	if err := checkToken(prefix+"hostname", hostname, MaxHostnameLen, isIDByte, "letters, digits, '.', '_' and '-'"); err != nil {
		return err
	}
	if err := checkToken(prefix+"os", os, MaxPlatformLen, isPlatformByte, "lowercase letters, digits and '_'"); err != nil {
		return err
	}
	if err := checkToken(prefix+"arch", arch, MaxPlatformLen, isPlatformByte, "lowercase letters, digits and '_'"); err != nil {
		return err
	}
	return checkToken(prefix+"version", version, MaxVersionLen, isVisibleASCII, "printable ASCII without spaces")
}

// JoinResponse answers a successful join (201): the agent's id and name as
// the server recorded them, its client certificate, and the CA bundle it
// must trust from now on.
type JoinResponse struct {
	AgentID     string `json:"agent_id"`
	Name        string `json:"name"`
	Certificate string `json:"certificate"` // PEM, the leaf first
	CA          string `json:"ca"`          // PEM, the server's CA certificate(s)
}

// Validate checks every field; none is optional.
func (m *JoinResponse) Validate() error {
	if err := checkID("agent_id", m.AgentID); err != nil {
		return err
	}
	if err := checkName("name", m.Name, MaxNameLen); err != nil {
		return err
	}
	if err := checkCerts("certificate", m.Certificate); err != nil {
		return err
	}
	return checkCerts("ca", m.CA)
}

// RenewRequest is the body of POST PathRenew, sent over mutual TLS with
// the agent's current certificate: a CSR for the next one (a fresh key).
type RenewRequest struct {
	CSR string `json:"csr"` // PEM "CERTIFICATE REQUEST"
}

// Validate checks the CSR.
func (m *RenewRequest) Validate() error { return checkCSR("csr", m.CSR) }

// RenewResponse answers a renewal with the new certificate.
type RenewResponse struct {
	Certificate string `json:"certificate"` // PEM, the leaf first
}

// Validate checks the certificate.
func (m *RenewResponse) Validate() error { return checkCerts("certificate", m.Certificate) }
