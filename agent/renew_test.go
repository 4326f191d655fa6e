package agent

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRenewAt(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		life time.Duration
		want time.Duration // after start
	}{
		{"90 days: 30 days left", 90 * day, 60 * day},
		{"a year: at two thirds", 360 * day, 240 * day},
		{"an hour: at two thirds", time.Hour, 40 * time.Minute},
		{"60 days: 30 days left", 60 * day, 30 * day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renewAt(start, start.Add(tt.life)).Sub(start); got != tt.want {
				t.Errorf("renewAt = start+%s, want start+%s", got, tt.want)
			}
		})
	}
}

func TestRenewSwapsKeyAndCertificate(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	a := startAgent(t, f, cfg)
	oldCert, _ := os.ReadFile(filepath.Join(cfg.StateDir, certFile))
	oldKey, _ := os.ReadFile(filepath.Join(cfg.StateDir, keyFile))
	if err := a.renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	newCert, _ := os.ReadFile(filepath.Join(cfg.StateDir, certFile))
	newKey, _ := os.ReadFile(filepath.Join(cfg.StateDir, keyFile))
	if bytes.Equal(oldCert, newCert) || bytes.Equal(oldKey, newKey) {
		t.Fatal("key or certificate not replaced")
	}
	if fi, err := os.Stat(filepath.Join(cfg.StateDir, keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	creds, err := a.st.load()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(creds.cert.Certificate[0], a.cert.Load().Certificate[0]) {
		t.Error("the running certificate is not the saved one")
	}
	// The new certificate works: results still go through.
	spoolResults(t, a, "m1", 1)
	f.waitStored(1, 5*time.Second)
}

func TestFinishRenewal(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	st := mustState(t, cfg.StateDir)
	if _, err := join(context.Background(), cfg, st, testLog(t)); err != nil {
		t.Fatal(err)
	}
	// A crash after the key was renamed: only agent.crt.next is left,
	// and the pair on disk no longer matches until it is renamed.
	_, keyPEM, csr, err := newKeyAndCSR(csrName)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, _, err := f.ca.SignAgentCSR(csr, "agent-1", time.Hour*24*90)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(st.path(keyFile), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(st.path(certFile+nextSuffix), certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.load(); err != nil {
		t.Fatalf("load after an interrupted renewal: %v", err)
	}
}
