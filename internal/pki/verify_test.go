package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFingerprint(t *testing.T) {
	ca, _ := newTestCA(t)
	fp := ca.Fingerprint()
	var colons []string
	for i := 0; i < len(fp); i += 2 {
		colons = append(colons, strings.ToUpper(fp[i:i+2]))
	}
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "as produced", in: fp, want: fp},
		{name: "upper with colons", in: strings.Join(colons, ":"), want: fp},
		{name: "surrounding space", in: " " + fp + "\n", want: fp},
		{name: "short", in: fp[:62], wantErr: true},
		{name: "not hex", in: "zz" + fp[2:], wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFingerprint(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseFingerprint(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestPinnedVerification(t *testing.T) {
	a, dirA := newTestCA(t)
	b, _ := newTestCA(t)
	right := serverCert(t, a).Certificate
	foreign := serverCert(t, b).Certificate
	agent := agentCert(t, a, "agent-1").Certificate
	names, ips, _ := splitHosts([]string{"localhost"})
	expired, err := a.issueServerCert(filepath.Join(dirA, "x.crt"), filepath.Join(dirA, "x.key"), names, ips,
		time.Now().Add(-48*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pin      string
		chain    [][]byte
		wantErr  string
		mismatch bool // the error must be ErrPinMismatch
	}{
		{name: "right server", pin: a.Fingerprint(), chain: right},
		{name: "pin with colons", pin: strings.ToUpper(a.Fingerprint()), chain: right},
		{name: "server of another CA", pin: a.Fingerprint(), chain: foreign, mismatch: true},
		{name: "other CA's leaf with the pinned CA beside it", pin: a.Fingerprint(),
			chain: [][]byte{foreign[0], a.Certificate().Raw}, mismatch: true},
		{name: "agent client cert posing as server", pin: a.Fingerprint(),
			chain: [][]byte{agent[0], a.Certificate().Raw}, mismatch: true},
		{name: "leaf without CA", pin: a.Fingerprint(), chain: right[:1], mismatch: true},
		{name: "the CA alone", pin: a.Fingerprint(), chain: [][]byte{a.Certificate().Raw}, mismatch: true},
		{name: "expired server cert", pin: a.Fingerprint(), chain: expired.Certificate, mismatch: true},
		{name: "no certificate", pin: a.Fingerprint(), chain: nil, wantErr: "no certificate"},
		{name: "malformed pin", pin: "abc", chain: right, wantErr: "hex digits"},
		{name: "too many certificates", pin: a.Fingerprint(),
			chain:   append(append([][]byte{}, right...), right[1], right[1], right[1], right[1], right[1], right[1], right[1]),
			wantErr: "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				checkPinErr(t, how, err, tc.wantErr, tc.mismatch)
			}
			check("PinnedVerifier", PinnedVerifier(tc.pin)(tc.chain, nil))
			cfg, err := PinnedClientConfig(tc.pin)
			if err != nil {
				check("PinnedClientConfig", err)
				return
			}
			var certs []*x509.Certificate
			for _, raw := range tc.chain {
				c, err := x509.ParseCertificate(raw)
				if err != nil {
					t.Fatal(err)
				}
				certs = append(certs, c)
			}
			check("VerifyConnection", cfg.VerifyConnection(tls.ConnectionState{PeerCertificates: certs}))
		})
	}
}

func TestPinnedVerifierRefusesGarbage(t *testing.T) {
	a, _ := newTestCA(t)
	err := PinnedVerifier(a.Fingerprint())([][]byte{{0x30, 0x00}}, nil)
	if err == nil || !strings.Contains(err.Error(), "server certificate 0") {
		t.Errorf("err = %v, want a parse error naming the certificate", err)
	}
}

// checkPinErr asserts err against a case of TestPinnedVerification: nil
// when neither wantErr nor mismatch is set, else an error containing
// wantErr that, for mismatch, is ErrPinMismatch.
func checkPinErr(t *testing.T, how string, err error, wantErr string, mismatch bool) {
	t.Helper()
	if wantErr == "" && !mismatch {
		if err != nil {
			t.Errorf("%s: %v", how, err)
		}
		return
	}
	if err == nil {
		t.Fatalf("%s: accepted", how)
	}
	if mismatch && !errors.Is(err, ErrPinMismatch) {
		t.Errorf("%s: err = %v, want ErrPinMismatch", how, err)
	}
	if !strings.Contains(err.Error(), wantErr) {
		t.Errorf("%s: err = %v, want one containing %q", how, err, wantErr)
	}
}
