package agent

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
)

func TestJoinSavesIdentity(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	cfg.StateDir = filepath.Join(t.TempDir(), "state")
	creds, err := join(context.Background(), cfg, mustState(t, cfg.StateDir), testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if creds.id.AgentID != "agent-1" || creds.id.Name != "test-agent" || creds.id.Server != f.srv.URL || creds.id.CAFingerprint != f.ca.Fingerprint() {
		t.Errorf("identity = %+v", creds.id)
	}
	modes := map[string]fs.FileMode{"": 0o700, keyFile: 0o600, certFile: 0o644, caFile: 0o644, identityFile: 0o600}
	for name, want := range modes {
		fi, err := os.Stat(filepath.Join(cfg.StateDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", name, got, want)
		}
	}
	loaded, err := mustState(t, cfg.StateDir).load()
	if err != nil {
		t.Fatal(err)
	}
	if loaded.id != creds.id {
		t.Errorf("loaded identity %+v, want %+v", loaded.id, creds.id)
	}
	if len(f.joins) != 1 || f.joins[0].Secret != f.secret {
		t.Errorf("gateway got %d joins", len(f.joins))
	}
}

func TestJoinRefusesOtherCA(t *testing.T) {
	f := newFakeGateway(t)
	other, err := pki.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, f)
	cfg.Token = wire.JoinToken{ID: f.tokenID, Secret: f.secret, Fingerprint: other.Fingerprint()}.String()
	_, err = join(context.Background(), cfg, mustState(t, cfg.StateDir), testLog(t))
	if !errors.Is(err, pki.ErrPinMismatch) || !strings.Contains(err.Error(), "does not hold the CA the token names") {
		t.Fatalf("join = %v, want a pin mismatch", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.joins) != 0 {
		t.Fatalf("the gateway received %d join requests; the secret must not be sent", len(f.joins))
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDir, identityFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("identity written after a refused join: %v", err)
	}
}

func TestJoinTokenErrors(t *testing.T) {
	tests := []struct {
		code string
		want string
	}{
		{wire.CodeTokenInvalid, "token is not valid"},
		{wire.CodeTokenExpired, "token has expired"},
		{wire.CodeTokenUsedUp, "no uses left"},
		{wire.CodeTokenRevoked, "token was revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFakeGateway(t)
			f.joinCode = tt.code
			cfg := testConfig(t, f)
			err := Run(context.Background(), cfg, testLog(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) || wireCode(err) != tt.code {
				t.Fatalf("Run = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestJoinUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	cfg.Server = "https://" + addr
	err = Run(context.Background(), cfg, testLog(t))
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("Run = %v, want unreachable", err)
	}
}

func TestRunNeedsToken(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	cfg.Token = ""
	if err := Run(context.Background(), cfg, testLog(t)); err == nil || !strings.Contains(err.Error(), "--token") {
		t.Fatalf("Run = %v, want an error asking for --token", err)
	}
}

func TestBadTokenString(t *testing.T) {
	f := newFakeGateway(t)
	cfg := testConfig(t, f)
	cfg.Token = "not-a-token"
	if err := Run(context.Background(), cfg, testLog(t)); err == nil || !strings.Contains(err.Error(), "--token") {
		t.Fatalf("Run = %v, want a token error", err)
	}
}

func mustState(t *testing.T, dir string) state {
	t.Helper()
	st, err := openState(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
