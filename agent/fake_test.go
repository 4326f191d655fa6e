package agent

import (
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fakeGateway is a small stand-in for the server's agent gateway: it
// joins agents with one token, serves assignments, and commits results
// as the store would (a result not newer than its monitor's last is
// dropped), recording everything it receives.
type fakeGateway struct {
	t   *testing.T
	ca  *pki.CA
	srv *httptest.Server

	mu          sync.Mutex
	tokenID     string
	secret      string
	joinCode    string // when set, every join is refused with it
	joins       []wire.JoinRequest
	down        bool // abort every request, as a dead server would
	loseAcks    int  // commit the next n batches but abort before answering
	badResults  bool // answer every batch 400 bad_request
	lostResults int  // result requests aborted while down
	polls       int  // polls answered
	revoked     bool
	assignments wire.Assignments
	batches     []wire.ResultBatch // every batch received, resends included
	stored      []wire.MonitorResult
	last        map[string]time.Time
	got         chan struct{} // signalled on each stored result
}

// newFakeGateway starts a gateway with a CA of its own in t.TempDir().
func newFakeGateway(t *testing.T) *fakeGateway {
	t.Helper()
	ca, err := pki.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ServerCertificate(t.TempDir(), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeGateway{
		t: t, ca: ca, tokenID: "tok1", secret: wire.NewJoinSecret(),
		last: map[string]time.Time{}, got: make(chan struct{}, 1000),
		assignments: wire.Assignments{Version: "v0", Wait: wire.Duration(time.Second)},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathJoin, f.join)
	mux.HandleFunc("POST "+wire.PathAssignments, f.mtls(f.poll))
	mux.HandleFunc("POST "+wire.PathResults, f.mtls(f.results))
	mux.HandleFunc("POST "+wire.PathRenew, f.mtls(f.renew))
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.TLS = &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    ca.Pool(),
	}
	f.srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

// token is the join token this gateway accepts.
func (f *fakeGateway) token() string {
	return wire.JoinToken{ID: f.tokenID, Secret: f.secret, Fingerprint: f.ca.Fingerprint()}.String()
}

func (f *fakeGateway) set(fn func(f *fakeGateway)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeGateway) fail(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(wire.Status(code))
	_ = wire.Encode(w, &wire.Error{Message: "refused by the fake", Code: code})
}

// abortIfDown drops the connection when the gateway plays dead.
func (f *fakeGateway) abortIfDown(r *http.Request) {
	f.mu.Lock()
	down := f.down
	if down && r.URL.Path == wire.PathResults {
		f.lostResults++
	}
	f.mu.Unlock()
	if down {
		panic(http.ErrAbortHandler)
	}
}

func (f *fakeGateway) join(w http.ResponseWriter, r *http.Request) {
	f.abortIfDown(r)
	var req wire.JoinRequest
	if err := wire.Decode(r.Body, wire.MaxJoinBody, &req); err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	f.mu.Lock()
	f.joins = append(f.joins, req)
	code := f.joinCode
	if code == "" && (req.TokenID != f.tokenID || req.Secret != f.secret) {
		code = wire.CodeTokenInvalid
	}
	f.mu.Unlock()
	if code != "" {
		f.fail(w, code)
		return
	}
	certPEM, _, _, err := f.ca.SignAgentCSR([]byte(req.CSR), "agent-1", 90*24*time.Hour)
	if err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = wire.Encode(w, &wire.JoinResponse{AgentID: "agent-1", Name: req.Name, Certificate: string(certPEM), CA: string(f.ca.CertPEM())})
}

// mtls refuses a request without a client certificate, or when revoked.
func (f *fakeGateway) mtls(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.abortIfDown(r)
		f.mu.Lock()
		revoked := f.revoked
		f.mu.Unlock()
		switch {
		case r.TLS == nil || len(r.TLS.PeerCertificates) == 0:
			f.fail(w, wire.CodeUnknownAgent)
		case revoked:
			f.fail(w, wire.CodeRevoked)
		default:
			h(w, r)
		}
	}
}

func (f *fakeGateway) poll(w http.ResponseWriter, r *http.Request) {
	var p wire.Poll
	if err := wire.Decode(r.Body, wire.MaxPollBody, &p); err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	f.mu.Lock()
	as := f.assignments
	f.polls++
	f.mu.Unlock()
	if p.AssignmentsVersion == as.Version {
		select { // hold the poll as the server does, briefly
		case <-r.Context().Done():
		case <-time.After(50 * time.Millisecond):
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	_ = wire.Encode(w, &as)
}

func (f *fakeGateway) results(w http.ResponseWriter, r *http.Request) {
	var b wire.ResultBatch
	if err := wire.Decode(r.Body, wire.MaxResultsBody, &b); err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, b)
	if f.badResults {
		f.mu.Unlock()
		f.fail(w, wire.CodeBadRequest)
		return
	}
	ack := wire.ResultAck{Seq: b.Seq}
	for _, mr := range b.Results {
		if !mr.Result.At.After(f.last[mr.MonitorID]) {
			ack.Dropped++
			continue
		}
		f.last[mr.MonitorID] = mr.Result.At
		f.stored = append(f.stored, mr)
		ack.Accepted++
		f.got <- struct{}{}
	}
	lose := f.loseAcks > 0
	if lose {
		f.loseAcks--
	}
	f.mu.Unlock()
	if lose {
		panic(http.ErrAbortHandler)
	}
	_ = wire.Encode(w, &ack)
}

func (f *fakeGateway) renew(w http.ResponseWriter, r *http.Request) {
	var req wire.RenewRequest
	if err := wire.Decode(r.Body, wire.MaxJoinBody, &req); err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	certPEM, _, _, err := f.ca.SignAgentCSR([]byte(req.CSR), "agent-1", 90*24*time.Hour)
	if err != nil {
		f.fail(w, wire.CodeBadRequest)
		return
	}
	_ = wire.Encode(w, &wire.RenewResponse{Certificate: string(certPEM)})
}

// waitStored waits until the gateway stored n results.
func (f *fakeGateway) waitStored(n int, timeout time.Duration) []wire.MonitorResult {
	f.t.Helper()
	deadline := time.After(timeout)
	for {
		f.mu.Lock()
		got := append([]wire.MonitorResult(nil), f.stored...)
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-f.got:
		case <-deadline:
			f.t.Fatalf("gateway stored %d results, want %d", len(got), n)
		}
	}
}

// testConfig is a Config for the gateway with tiny retry delays.
func testConfig(t *testing.T, f *fakeGateway) Config {
	return Config{
		Server: f.srv.URL, Token: f.token(), StateDir: t.TempDir(), Name: "test-agent",
		retry: backoffRange{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond},
	}
}

// testLog logs to the test's output.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// mustJSON encodes v or fails.
func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
