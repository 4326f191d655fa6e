package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestServerCertificateValidForHosts(t *testing.T) {
	ca, dir := newTestCA(t)
	hosts := []string{"Monitor.Example.", "localhost", "127.0.0.1", "[::1]", "10.0.0.7", "localhost"}
	c, err := ca.ServerCertificate(dir, hosts)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Certificate) != 2 || !bytes.Equal(c.Certificate[1], ca.Certificate().Raw) {
		t.Fatalf("chain has %d certificates, want leaf + this CA", len(c.Certificate))
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	intermediates := x509.NewCertPool()
	for _, name := range []string{"monitor.example", "localhost", "127.0.0.1", "::1", "10.0.0.7"} {
		t.Run(name, func(t *testing.T) {
			opts := x509.VerifyOptions{DNSName: name, Roots: ca.Pool(), Intermediates: intermediates,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			if _, err := leaf.Verify(opts); err != nil {
				t.Errorf("verify for %s: %v", name, err)
			}
		})
	}
	t.Run("other name refused", func(t *testing.T) {
		opts := x509.VerifyOptions{DNSName: "evil.example", Roots: ca.Pool()}
		if _, err := leaf.Verify(opts); err == nil {
			t.Errorf("certificate verified for a host it was not issued for")
		}
	})
	t.Run("not a client cert", func(t *testing.T) {
		opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		if _, err := leaf.Verify(opts); err == nil {
			t.Errorf("server certificate verified for client auth")
		}
	})
	if runtime.GOOS != "windows" {
		info, err := os.Stat(filepath.Join(dir, serverKeyFile))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("server.key: %v, mode %v; want 0600", err, info.Mode().Perm())
		}
	}
}

func TestServerCertificateCaching(t *testing.T) {
	ca, dir := newTestCA(t)
	hosts := []string{"localhost", "127.0.0.1"}
	first, err := ca.ServerCertificate(dir, hosts)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, serverCertFile), filepath.Join(dir, serverKeyFile)
	tests := []struct {
		name   string
		before func(t *testing.T) // changes the cache before the call
		hosts  []string
		reuse  bool
	}{
		{name: "same hosts reused", hosts: hosts, reuse: true},
		{name: "same hosts other order reused", hosts: []string{"127.0.0.1", "LOCALHOST"}, reuse: true},
		{name: "host added", hosts: []string{"localhost", "127.0.0.1", "gw.example"}},
		{name: "host removed", hosts: []string{"localhost"}},
		{name: "ip changed", hosts: []string{"localhost", "127.0.0.2"}},
		{name: "corrupt cert", hosts: hosts, before: func(t *testing.T) { write(t, certPath, []byte("junk"), 0o644) }},
		{name: "corrupt key", hosts: hosts, before: func(t *testing.T) { write(t, keyPath, []byte("junk"), 0o600) }},
		{name: "missing key", hosts: hosts, before: func(t *testing.T) { os.Remove(keyPath) }},
		{name: "near expiry", hosts: hosts, before: func(t *testing.T) {
			names, ips, _ := splitHosts(hosts)
			if _, err := ca.issueServerCert(certPath, keyPath, names, ips, time.Now(), 29*24*time.Hour); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "other CA's cert", hosts: hosts, before: func(t *testing.T) {
			other, _ := newTestCA(t)
			if _, err := other.ServerCertificate(dir, hosts); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Start each case from the first certificate for hosts.
			write(t, certPath, encodePEM(pemCert, first.Certificate[0]), 0o644)
			keyPEM, _ := marshalKey(first.PrivateKey.(crypto.Signer))
			write(t, keyPath, keyPEM, 0o600)
			if tc.before != nil {
				tc.before(t)
			}
			got, err := ca.ServerCertificate(dir, tc.hosts)
			if err != nil {
				t.Fatal(err)
			}
			reused := bytes.Equal(got.Certificate[0], first.Certificate[0])
			if reused != tc.reuse {
				t.Fatalf("reused = %v, want %v", reused, tc.reuse)
			}
			checkLeaf(t, ca, got.Leaf, tc.hosts)
			again, err := ca.ServerCertificate(dir, tc.hosts)
			if err != nil || !bytes.Equal(again.Certificate[0], got.Certificate[0]) {
				t.Errorf("reissued certificate was not cached (err %v)", err)
			}
		})
	}
}

func TestServerCertificateBadHosts(t *testing.T) {
	ca, dir := newTestCA(t)
	tests := []struct {
		name  string
		hosts []string
	}{
		{name: "none", hosts: nil},
		{name: "empty", hosts: []string{""}},
		{name: "space", hosts: []string{"my host"}},
		{name: "url", hosts: []string{"https://x.example"}},
		{name: "empty label", hosts: []string{"a..b"}},
		{name: "too long", hosts: []string{strings.Repeat("a.", 130)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ca.ServerCertificate(dir, tc.hosts); err == nil {
				t.Errorf("ServerCertificate(%q) succeeded", tc.hosts)
			}
		})
	}
}

// checkLeaf asserts that leaf chains to ca for every host in hosts.
func checkLeaf(t *testing.T, ca *CA, leaf *x509.Certificate, hosts []string) {
	t.Helper()
	for _, h := range hosts {
		opts := x509.VerifyOptions{DNSName: strings.ToLower(h), Roots: ca.Pool(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("leaf does not verify for %s: %v", h, err)
		}
	}
	if n := len(leaf.DNSNames) + len(leaf.IPAddresses); n != len(hosts) {
		t.Errorf("leaf names %v %v, want exactly %v", leaf.DNSNames, leaf.IPAddresses, hosts)
	}
	if time.Until(leaf.NotAfter) < serverRenewal {
		t.Errorf("leaf expires %v, inside the renewal window", leaf.NotAfter)
	}
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
