package wire

import (
	"strings"
	"testing"
)

func goodJoin() JoinRequest {
	return JoinRequest{
		TokenID: "t-17", Secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQ", CSR: pems().csr,
		Name: "web 1 (Frankfurt)", Hostname: "web1.example.com", OS: "linux", Arch: "amd64", Version: "v1.2.3-dirty",
	}
}

func TestJoinRequestValidate(t *testing.T) {
	certAsCSR := strings.ReplaceAll(pems().cert, "CERTIFICATE", "CERTIFICATE REQUEST")
	tests := []struct {
		name  string
		mut   func(*JoinRequest)
		field string // "" when valid
	}{
		{"good", func(*JoinRequest) {}, ""},
		{"longest id", func(m *JoinRequest) { m.TokenID = repeat("a", MaxIDLen) }, ""},
		{"no token id", func(m *JoinRequest) { m.TokenID = "" }, "token_id"},
		{"token id too long", func(m *JoinRequest) { m.TokenID = repeat("a", MaxIDLen+1) }, "token_id"},
		{"token id with slash", func(m *JoinRequest) { m.TokenID = "a/b" }, "token_id"},
		{"token id unicode", func(m *JoinRequest) { m.TokenID = "tökén" }, "token_id"},
		{"no secret", func(m *JoinRequest) { m.Secret = "" }, "secret"},
		{"short secret", func(m *JoinRequest) { m.Secret = repeat("s", MinSecretLen-1) }, "secret"},
		{"long secret", func(m *JoinRequest) { m.Secret = repeat("s", MaxSecretLen+1) }, "secret"},
		{"secret with space", func(m *JoinRequest) { m.Secret = "secret secret secret" }, "secret"},
		{"no csr", func(m *JoinRequest) { m.CSR = "" }, "csr"},
		{"csr not pem", func(m *JoinRequest) { m.CSR = "hello" }, "csr"},
		{"csr is a certificate", func(m *JoinRequest) { m.CSR = pems().cert }, "csr"},
		{"csr block of garbage", func(m *JoinRequest) { m.CSR = certAsCSR }, "csr"},
		{"csr with trailing block", func(m *JoinRequest) { m.CSR += pems().csr }, "csr"},
		{"csr with trailing space", func(m *JoinRequest) { m.CSR += "\n\n" }, ""},
		{"csr too long", func(m *JoinRequest) { m.CSR += repeat(" ", MaxCSRLen) }, "csr"},
		{"no name", func(m *JoinRequest) { m.Name = "" }, "name"},
		{"name padded", func(m *JoinRequest) { m.Name = " web1" }, "name"},
		{"name with newline", func(m *JoinRequest) { m.Name = "web\n1" }, "name"},
		{"name of digits only", func(m *JoinRequest) { m.Name = "7" }, "name"},
		{"name with digits and letters", func(m *JoinRequest) { m.Name = "web7" }, ""},
		{"name bad utf-8", func(m *JoinRequest) { m.Name = "web\xff" }, "name"},
		{"name too long", func(m *JoinRequest) { m.Name = repeat("n", MaxNameLen+1) }, "name"},
		{"name unicode", func(m *JoinRequest) { m.Name = "Büro München" }, ""},
		{"no hostname", func(m *JoinRequest) { m.Hostname = "" }, "hostname"},
		{"hostname with space", func(m *JoinRequest) { m.Hostname = "web 1" }, "hostname"},
		{"hostname too long", func(m *JoinRequest) { m.Hostname = repeat("h", MaxHostnameLen+1) }, "hostname"},
		{"no os", func(m *JoinRequest) { m.OS = "" }, "os"},
		{"os uppercase", func(m *JoinRequest) { m.OS = "Linux" }, "os"},
		{"no arch", func(m *JoinRequest) { m.Arch = "" }, "arch"},
		{"arch too long", func(m *JoinRequest) { m.Arch = repeat("a", MaxPlatformLen+1) }, "arch"},
		{"no version", func(m *JoinRequest) { m.Version = "" }, "version"},
		{"version with space", func(m *JoinRequest) { m.Version = "v1 beta" }, "version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := goodJoin()
			tc.mut(&m)
			wantField(t, m.Validate(), tc.field)
		})
	}
}

func TestJoinResponseValidate(t *testing.T) {
	good := func() JoinResponse {
		return JoinResponse{AgentID: "3", Name: "web1", Certificate: pems().cert + pems().ca, CA: pems().ca}
	}
	tests := []struct {
		name  string
		mut   func(*JoinResponse)
		field string
	}{
		{"good", func(*JoinResponse) {}, ""},
		{"no agent id", func(m *JoinResponse) { m.AgentID = "" }, "agent_id"},
		{"agent id with space", func(m *JoinResponse) { m.AgentID = "a b" }, "agent_id"},
		{"no name", func(m *JoinResponse) { m.Name = "" }, "name"},
		{"no certificate", func(m *JoinResponse) { m.Certificate = "" }, "certificate"},
		{"certificate only space", func(m *JoinResponse) { m.Certificate = " \n" }, "certificate"},
		{"certificate is a csr", func(m *JoinResponse) { m.Certificate = pems().csr }, "certificate"},
		{"certificate with garbage after", func(m *JoinResponse) { m.Certificate += "garbage" }, "certificate"},
		{"certificate block of garbage", func(m *JoinResponse) {
			m.Certificate = strings.ReplaceAll(pems().csr, "CERTIFICATE REQUEST", "CERTIFICATE")
		}, "certificate"},
		{"too many certificates", func(m *JoinResponse) { m.Certificate = repeat(pems().cert, MaxCertsPEM+1) }, "certificate"},
		{"most certificates", func(m *JoinResponse) { m.Certificate = repeat(pems().cert, MaxCertsPEM) }, ""},
		{"certificate too long", func(m *JoinResponse) { m.Certificate += repeat("\n", MaxCertLen) }, "certificate"},
		{"no ca", func(m *JoinResponse) { m.CA = "" }, "ca"},
		{"ca not pem", func(m *JoinResponse) { m.CA = "-----BEGIN" }, "ca"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := good()
			tc.mut(&m)
			wantField(t, m.Validate(), tc.field)
		})
	}
}

func TestRenewValidate(t *testing.T) {
	tests := []struct {
		name  string
		msg   Validator
		field string
	}{
		{"request good", &RenewRequest{CSR: pems().csr}, ""},
		{"request empty", &RenewRequest{}, "csr"},
		{"request with certificate", &RenewRequest{CSR: pems().cert}, "csr"},
		{"response good", &RenewResponse{Certificate: pems().cert}, ""},
		{"response empty", &RenewResponse{}, "certificate"},
		{"response with csr", &RenewResponse{Certificate: pems().csr}, "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantField(t, tc.msg.Validate(), tc.field)
		})
	}
}
