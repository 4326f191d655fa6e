package testenv

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// TestStartDovecot starts the real dovecot and logs in over POP3 and IMAP,
// in plain text and over implicit TLS.
func TestStartDovecot(t *testing.T) {
	certPEM, keyPEM := testServerCert(t)
	d := StartDovecot(t, DovecotOptions{CertPEM: certPEM, KeyPEM: keyPEM})
	tests := []struct {
		name, addr string
		tls        bool
		script     []string // command, then the prefix the reply must have
	}{
		{"pop3", d.POP3, false, []string{"", "+OK", "USER alice", "+OK", "PASS secret", "+OK Logged in", "QUIT", "+OK"}},
		{"pop3 wrong password", d.POP3, false, []string{"", "+OK", "USER alice", "+OK", "PASS nope", "-ERR [AUTH]"}},
		{"pop3s", d.POP3S, true, []string{"", "+OK", "USER alice", "+OK", "PASS secret", "+OK Logged in"}},
		{"imap", d.IMAP, false, []string{"", "* OK", `a1 LOGIN "alice" "secret"`, "a1 OK", "a2 LOGOUT", "* BYE"}},
		{"imaps", d.IMAPS, true, []string{"", "* OK", `a1 LOGIN "alice" "secret"`, "a1 OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", tt.addr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if tt.tls {
				conn = tls.Client(conn, &tls.Config{InsecureSkipVerify: true})
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(conn)
			for i := 0; i < len(tt.script); i += 2 {
				if cmd := tt.script[i]; cmd != "" {
					if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
						t.Fatal(err)
					}
				}
				line, err := r.ReadString('\n')
				if err != nil || !strings.HasPrefix(line, tt.script[i+1]) {
					t.Fatalf("after %q got %q (%v), want %q…", tt.script[i], line, err, tt.script[i+1])
				}
			}
		})
	}
}

// testServerCert returns a self-signed certificate for 127.0.0.1 as PEM.
func testServerCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
