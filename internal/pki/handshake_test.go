package pki

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// serverResult is what the test server saw of one connection.
type serverResult struct {
	err error
	cn  string // the client certificate's CN on success
}

// handshake runs one TLS connection on 127.0.0.1 between a server with
// serverCfg and a client with clientCfg. The server writes "ok" after a
// successful handshake; the client reads it, because in TLS 1.3 a refused
// client certificate only shows on the client's first read.
func handshake(t *testing.T, serverCfg, clientCfg *tls.Config) (serverResult, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	results := make(chan serverResult, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			results <- serverResult{err: err}
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		tc := tls.Server(conn, serverCfg)
		if err := tc.Handshake(); err != nil {
			results <- serverResult{err: err}
			return
		}
		var res serverResult
		if peers := tc.ConnectionState().PeerCertificates; len(peers) > 0 {
			res.cn = peers[0].Subject.CommonName
		}
		_, res.err = tc.Write([]byte("ok"))
		results <- res
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tc := tls.Client(conn, clientCfg)
	clientErr := tc.Handshake()
	if clientErr == nil {
		buf := make([]byte, 2)
		if _, err := io.ReadFull(tc, buf); err != nil {
			clientErr = err
		} else if tc.ConnectionState().Version != tls.VersionTLS13 {
			clientErr = errors.New("not TLS 1.3")
		}
	}
	conn.Close()
	return <-results, clientErr
}

func TestMutualTLSHandshake(t *testing.T) {
	a, _ := newTestCA(t)
	b, _ := newTestCA(t)
	serverCfg := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{serverCert(t, a)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    a.Pool(),
	}
	pinnedVerifierCfg := func(fp string, certs ...tls.Certificate) *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true,
			VerifyPeerCertificate: PinnedVerifier(fp), Certificates: certs}
	}
	tests := []struct {
		name       string
		client     *tls.Config
		wantServer bool // the server accepts the client
		wantClient bool // the client accepts the server and reads its reply
	}{
		{name: "agent cert, right pin", client: pinnedConfig(t, a.Fingerprint(), agentCert(t, a, "agent-1")),
			wantServer: true, wantClient: true},
		{name: "agent cert, right pin, PinnedVerifier", client: pinnedVerifierCfg(a.Fingerprint(), agentCert(t, a, "agent-1")),
			wantServer: true, wantClient: true},
		{name: "no client cert", client: pinnedConfig(t, a.Fingerprint())},
		{name: "client cert from another CA", client: pinnedConfig(t, a.Fingerprint(), agentCert(t, b, "agent-1"))},
		{name: "server cert used as client cert", client: pinnedConfig(t, a.Fingerprint(), serverCert(t, a))},
		{name: "pin names another CA", client: pinnedConfig(t, b.Fingerprint(), agentCert(t, a, "agent-1"))},
		{name: "pin names another CA, PinnedVerifier", client: pinnedVerifierCfg(b.Fingerprint(), agentCert(t, a, "agent-1"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, clientErr := handshake(t, serverCfg, tc.client)
			if (srv.err == nil) != tc.wantServer {
				t.Errorf("server: err = %v, want success %v", srv.err, tc.wantServer)
			}
			if (clientErr == nil) != tc.wantClient {
				t.Errorf("client: err = %v, want success %v", clientErr, tc.wantClient)
			}
			if tc.wantServer && srv.cn != "agent-1" {
				t.Errorf("server saw client CN %q, want agent-1", srv.cn)
			}
		})
	}
}

// TestPinnedClientRefusesImpostor has a server of another CA that accepts
// any client; the agent must refuse it during the handshake, before any
// application data (the join secret) could be written.
func TestPinnedClientRefusesImpostor(t *testing.T) {
	a, _ := newTestCA(t)
	b, _ := newTestCA(t)
	impostor := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{serverCert(t, b)}}
	_, err := handshake(t, impostor, pinnedConfig(t, a.Fingerprint()))
	if !errors.Is(err, ErrPinMismatch) {
		t.Errorf("client err = %v, want ErrPinMismatch", err)
	}
	genuine := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{serverCert(t, a)}}
	if _, err := handshake(t, genuine, pinnedConfig(t, a.Fingerprint())); err != nil {
		t.Errorf("genuine server refused: %v", err)
	}
}

// pinnedConfig is PinnedClientConfig with the given client certificates.
func pinnedConfig(t *testing.T, fp string, certs ...tls.Certificate) *tls.Config {
	t.Helper()
	cfg, err := PinnedClientConfig(fp)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Certificates = certs
	return cfg
}
