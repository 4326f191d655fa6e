package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// env is a running gateway on 127.0.0.1 with a real store and CA.
type env struct {
	t   *testing.T
	db  *store.DB
	ca  *pki.CA
	gw  *Gateway
	url string

	mu      sync.Mutex
	version string
	list    []wire.Assignment
	commits chan []store.MonitorResult // every Commit, when not nil
	gate    chan struct{}              // Commit waits for it, when not nil
	held    chan string                // an agent id each time a poll starts to wait
	entered chan struct{}              // Commit was called, when not nil
	asked   int                        // calls of Config.Assignments

	stop func() // stops Serve and waits for it; safe to call twice
}

// newEnv starts a gateway; tweak may change the config first.
func newEnv(t *testing.T, tweak func(*Config)) *env {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ServerCertificate(dir, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, ca: ca, version: "v1"}
	cfg := Config{
		CA: ca, Cert: cert, Store: db, PollWait: 30 * time.Second,
		Assignments: e.assignments, Commit: e.commit,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	e.gw = New(cfg)
	e.held = make(chan string, 16)
	e.gw.onHold = func(id string) {
		select {
		case e.held <- id:
		default:
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "https://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.gw.Serve(ctx, ln) }()
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		e.stop()
		db.Close()
	})
	return e
}

func (e *env) assignments(string) (string, []wire.Assignment) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked++
	return e.version, e.list
}

// askedCount returns how often Config.Assignments was called.
func (e *env) askedCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.asked
}

// assign sets what every agent runs and its version.
func (e *env) assign(version string, ids ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.version, e.list = version, nil
	for _, id := range ids {
		e.list = append(e.list, wire.Assignment{ID: id, Type: "cpu", Interval: wire.Duration(time.Minute), Timeout: wire.Duration(time.Second)})
	}
}

func (e *env) commit(ctx context.Context, batch []store.MonitorResult) error {
	e.mu.Lock()
	commits, gate, entered := e.commits, e.gate, e.entered
	e.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if commits != nil {
		commits <- batch
	}
	return nil
}

// token creates a join token with uses and ttl and returns its string.
func (e *env) token(uses int, ttl time.Duration) wire.JoinToken {
	e.t.Helper()
	secret := wire.NewJoinSecret()
	hash := sha256.Sum256([]byte(secret))
	jt := store.JoinToken{SecretHash: hash[:], UsesLeft: uses, ExpiresAt: time.Now().Add(ttl)}
	if err := e.db.CreateJoinToken(&jt, store.System); err != nil {
		e.t.Fatal(err)
	}
	return wire.JoinToken{ID: jt.ID, Secret: secret, Fingerprint: e.ca.Fingerprint()}
}

// client returns an HTTPS client that pins the env's CA and presents
// certs.
func (e *env) client(certs ...tls.Certificate) *http.Client {
	e.t.Helper()
	cfg, err := pki.PinnedClientConfig(e.ca.Fingerprint())
	if err != nil {
		e.t.Fatal(err)
	}
	cfg.Certificates = certs
	// Offering HTTP/2 as the real agent does.
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// joinRequest builds a join request for tok with a fresh key.
func (e *env) joinRequest(tok wire.JoinToken, name string) (wire.JoinRequest, []byte) {
	e.t.Helper()
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		e.t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, "host")
	if err != nil {
		e.t.Fatal(err)
	}
	return wire.JoinRequest{
		TokenID: tok.ID, Secret: tok.Secret, CSR: string(csr), Name: name,
		Hostname: "host1", OS: "linux", Arch: "amd64", Version: "1.0.0",
	}, keyPEM
}

// agent is a joined agent: its id and a client that authenticates as it.
type agent struct {
	id     string
	name   string
	cert   tls.Certificate
	http   *http.Client
	serial string
}

// join joins an agent called name with a fresh one-use token.
func (e *env) join(name string) agent {
	e.t.Helper()
	req, keyPEM := e.joinRequest(e.token(1, time.Hour), name)
	var resp wire.JoinResponse
	if status := e.post(e.client(), wire.PathJoin, &req, &resp); status != http.StatusCreated {
		e.t.Fatalf("join: status %d", status)
	}
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), keyPEM)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.db.Agent(resp.AgentID)
	if err != nil {
		e.t.Fatal(err)
	}
	return agent{id: resp.AgentID, name: resp.Name, cert: cert, http: e.client(cert), serial: a.CertSerial}
}

// post sends msg to path and decodes the answer's body, if any, into out
// (when not nil); it returns the status, or -1 when the request failed
// below HTTP (a refused TLS handshake).
func (e *env) post(c *http.Client, path string, msg any, out any) int {
	e.t.Helper()
	body, err := json.Marshal(msg)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.postRaw(c, path, body, out)
}

// postRaw is post with a body as is.
func (e *env) postRaw(c *http.Client, path string, body []byte, out any) int {
	e.t.Helper()
	resp, err := c.Post(e.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s: decode %q: %v", path, data, err)
		}
	}
	return resp.StatusCode
}

// poll is a heartbeat of an agent running version.
func poll(version string) wire.Poll {
	return wire.Poll{Version: "1.0.0", Hostname: "host1", OS: "linux", Arch: "amd64", AssignmentsVersion: version, Time: time.Now()}
}
