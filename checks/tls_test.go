package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTLSCheck(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	ca := makeCert(t, certSpec{cn: "Vigil Test Root", isCA: true}, nil)
	inter := makeCert(t, certSpec{cn: "Vigil Test Intermediate", isCA: true}, ca)
	good := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost", "127.0.0.1"}}, ca)
	viaInter := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost", "127.0.0.1"}}, inter)
	expired := makeCert(t, certSpec{dns: []string{"localhost", "127.0.0.1"}, notBefore: now.Add(-30 * day), notAfter: now.Add(-2 * day)}, ca)
	future := makeCert(t, certSpec{dns: []string{"localhost", "127.0.0.1"}, notBefore: now.Add(2 * day), notAfter: now.Add(30 * day)}, ca)
	near := makeCert(t, certSpec{dns: []string{"localhost", "127.0.0.1"}, notAfter: now.Add(5*day + time.Hour)}, ca)
	nearer := makeCert(t, certSpec{dns: []string{"localhost", "127.0.0.1"}, notAfter: now.Add(2*day + time.Hour)}, ca)
	wrongHost := makeCert(t, certSpec{dns: []string{"other.example"}}, ca)
	self := makeCert(t, certSpec{cn: "self", dns: []string{"localhost", "127.0.0.1"}}, nil)
	otherCA := makeCert(t, certSpec{cn: "Untrusted Root", isCA: true}, nil)
	untrusted := makeCert(t, certSpec{dns: []string{"localhost", "127.0.0.1"}}, otherCA)
	caFile := writeCAFile(t, ca)
	withCA := fmt.Sprintf(`{"ca_file":%q}`, caFile)

	cases := []struct {
		name     string
		cert     tls.Certificate
		maxVer   uint16
		settings string
		want     Status
		inMsg    string
	}{
		{"valid", tlsCert(good), 0, withCA, StatusOK, "TLS 1.3, certificate valid until"},
		{"valid via intermediate", tlsCert(viaInter, inter), 0, withCA, StatusOK, "valid until"},
		{"chain incomplete", tlsCert(viaInter), 0, withCA, StatusProblem, "chain incomplete"},
		{"expired", tlsCert(expired), 0, withCA, StatusProblem, "certificate expired 2 days ago"},
		{"not yet valid", tlsCert(future), 0, withCA, StatusProblem, "not yet valid"},
		{"near expiry warning", tlsCert(near), 0, withCA, StatusWarning, "certificate expires in 5 days"},
		{"near expiry problem", tlsCert(nearer), 0, withCA, StatusProblem, "certificate expires in 2 days"},
		{"expiry thresholds off", tlsCert(nearer), 0, fmt.Sprintf(`{"ca_file":%q,"cert_expiry_warning_days":0,"cert_expiry_error_days":0}`, caFile), StatusOK, "valid until"},
		{"hostname mismatch", tlsCert(wrongHost), 0, withCA, StatusProblem, "hostname mismatch: certificate is for other.example, not 127.0.0.1"},
		{"server_name matches", tlsCert(wrongHost), 0, fmt.Sprintf(`{"ca_file":%q,"server_name":"other.example"}`, caFile), StatusOK, "valid until"},
		{"self-signed", tlsCert(self), 0, withCA, StatusProblem, "self-signed certificate"},
		{"self-signed chain not verified", tlsCert(self), 0, `{"tls_verify_chain":false}`, StatusOK, "valid until"},
		{"unknown authority", tlsCert(untrusted, otherCA), 0, withCA, StatusProblem, "unknown authority: root CN=Untrusted Root"},
		{"system roots do not know test CA", tlsCert(good), 0, `{}`, StatusProblem, "chain incomplete"},
		{"min version met", tlsCert(good), tls.VersionTLS12, fmt.Sprintf(`{"ca_file":%q,"min_tls_version":"1.2"}`, caFile), StatusOK, "TLS 1.2"},
		{"min version not met", tlsCert(good), tls.VersionTLS12, fmt.Sprintf(`{"ca_file":%q,"min_tls_version":"1.3"}`, caFile), StatusProblem, "TLS 1.2 negotiated, below min_tls_version 1.3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveTLS(t, tc.cert, tc.maxVer)
			c := mustNew(t, "tls", addr, tc.settings)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r := c.Check(ctx, addr)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if left := r.Values["cert_days_left"]; left < -30 || left > 100 {
				t.Fatalf("cert_days_left %v", left)
			}
			if _, ok := r.Values["handshake_ms"]; !ok {
				t.Fatalf("no handshake_ms in %v", r.Values)
			}
		})
	}
}

func TestTLSVersionValue(t *testing.T) {
	ca := makeCert(t, certSpec{cn: "root", isCA: true}, nil)
	leaf := makeCert(t, certSpec{dns: []string{"127.0.0.1"}}, ca)
	addr := serveTLS(t, tlsCert(leaf), tls.VersionTLS12)
	c := mustNew(t, "tls", addr, fmt.Sprintf(`{"ca_file":%q}`, writeCAFile(t, ca)))
	r := c.Check(context.Background(), addr)
	if r.Values["tls_version"] != 1.2 {
		t.Fatalf("tls_version %v (%s)", r.Values["tls_version"], r.Message)
	}
}

func TestTLSWeakSignature(t *testing.T) {
	leaf := &x509.Certificate{SignatureAlgorithm: x509.SHA1WithRSA, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	err := verifyPeer([]*x509.Certificate{leaf}, "x", nil, false, time.Now())
	if err == nil || !strings.Contains(err.Error(), "weak signature") {
		t.Fatalf("got %v", err)
	}
}

func TestTLSFailures(t *testing.T) {
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	// A server that accepts and answers in plain text.
	go func() {
		for {
			conn, err := plain.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			conn.Close()
		}
	}()
	silent := silentListener(t)
	cases := []struct {
		name    string
		target  string
		timeout time.Duration
		inMsg   string
	}{
		{"closed port", closedPort(t), 5 * time.Second, "connection refused"},
		{"plain text server", plain.Addr().String(), 5 * time.Second, "did not answer with TLS"},
		{"silent server times out", silent, 200 * time.Millisecond, "timed out after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "tls", tc.target, `{}`)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			r := c.Check(ctx, tc.target)
			if r.Status != StatusProblem || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want problem containing %q", r.Status, r.Message, tc.inMsg)
			}
		})
	}
}

// closedPort returns a 127.0.0.1 address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentListener accepts connections and never writes, until the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
