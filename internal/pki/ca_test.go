package pki

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestLoadOrCreateCreatesAndReloads(t *testing.T) {
	ca, dir := newTestCA(t)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(ca.Fingerprint()) {
		t.Fatalf("fingerprint %q is not 64 lowercase hex digits", ca.Fingerprint())
	}
	cert := ca.Certificate()
	if !strings.HasPrefix(cert.Subject.CommonName, "Vigil CA ") || len(cert.Subject.CommonName) <= len("Vigil CA ") {
		t.Errorf("CN = %q, want \"Vigil CA <suffix>\"", cert.Subject.CommonName)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("certificate is not a signing CA")
	}
	if cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm = %v, want ECDSA", cert.PublicKeyAlgorithm)
	}
	if life := cert.NotAfter.Sub(cert.NotBefore); life < 10*365*24*time.Hour {
		t.Errorf("validity %v, want at least 10 years", life)
	}
	again, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if again.Fingerprint() != ca.Fingerprint() || !bytes.Equal(again.CertPEM(), ca.CertPEM()) {
		t.Errorf("reloaded CA differs: %s vs %s", again.Fingerprint(), ca.Fingerprint())
	}
	other, _ := newTestCA(t)
	if other.Fingerprint() == ca.Fingerprint() || other.Certificate().Subject.CommonName == cert.Subject.CommonName {
		t.Errorf("two new CAs share fingerprint or name")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestLoadOrCreateKeyMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pki: no Unix permission bits on Windows")
	}
	_, dir := newTestCA(t)
	info, err := os.Stat(filepath.Join(dir, caKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("ca.key mode = %04o, want 0600", perm)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		t.Run(mode.String(), func(t *testing.T) {
			if err := os.Chmod(filepath.Join(dir, caKeyFile), mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreate(dir)
			if err == nil || !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("LoadOrCreate with key mode %04o: err = %v, want a refusal naming chmod 600", mode, err)
			}
		})
	}
}

func TestLoadOrCreateBadFiles(t *testing.T) {
	other, _ := newTestCA(t)
	otherKey, _ := marshalKey(other.key)
	leafPEM := encodePEM(pemCert, serverCert(t, other).Leaf.Raw)
	tests := []struct {
		name    string
		file    string // written over the good one; "" removes the other file
		data    []byte
		remove  string
		wantErr string
	}{
		{name: "garbage cert", file: caCertFile, data: []byte("not a certificate"), wantErr: "no PEM data"},
		{name: "truncated cert", file: caCertFile, data: []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), wantErr: "CA certificate"},
		{name: "key PEM as cert", file: caCertFile, data: otherKey, wantErr: `"PRIVATE KEY", want "CERTIFICATE"`},
		{name: "leaf as CA", file: caCertFile, data: leafPEM, wantErr: "not a CA certificate"},
		{name: "garbage key", file: caKeyFile, data: []byte("junk"), wantErr: "ca.key"},
		{name: "other CA's key", file: caKeyFile, data: otherKey, wantErr: "does not belong to the key"},
		{name: "key missing", remove: caKeyFile, wantErr: "is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, dir := newTestCA(t)
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.file), tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tc.remove != "" {
				if err := os.Remove(filepath.Join(dir, tc.remove)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadOrCreate(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "pki: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestLoadOrCreateKeyWithoutCert(t *testing.T) {
	ca, dir := newTestCA(t)
	if err := os.Remove(filepath.Join(dir, caCertFile)); err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate after an interrupted first start: %v", err)
	}
	if !sameKey(again.Certificate(), ca.key) {
		t.Errorf("new certificate is not for the existing key")
	}
	if _, err := os.Stat(filepath.Join(dir, caCertFile)); err != nil {
		t.Errorf("certificate not written: %v", err)
	}
}

func TestPoolHoldsOnlyTheCA(t *testing.T) {
	ca, _ := newTestCA(t)
	other, _ := newTestCA(t)
	opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if _, err := serverCert(t, ca).Leaf.Verify(opts); err != nil {
		t.Errorf("own server certificate: %v", err)
	}
	if _, err := serverCert(t, other).Leaf.Verify(opts); err == nil {
		t.Errorf("another CA's server certificate verified against Pool()")
	}
}
