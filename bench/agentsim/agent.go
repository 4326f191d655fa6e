package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// maxPending bounds a simulated agent's queue of unacknowledged results,
// as the real agent's spool is bounded.
const maxPending = 20000

// simVersion is the build version the simulated agents report.
const simVersion = "agentsim"

// simAgent is one simulated agent: a real key and client certificate,
// and one HTTP client set up like the real agent's, shared by its
// long-poll and its result delivery: one HTTP/2 connection where the
// server offers HTTP/2, else a keep-alive connection for each.
type simAgent struct {
	id, name string
	gateway  string
	http     *http.Client
	st       *stats
	interval time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	expected map[string]string // monitor id → type, as created through the API
	version  string            // of the assignments last received
	jobs     map[string]*simCheck
	pending  []wire.MonitorResult       // made, not yet acknowledged (the spool)
	seq      uint64                     // of the last acknowledged batch
	spot     map[string][]checks.Result // acknowledged results of spot-checked monitors

	ready     chan struct{} // closed once every expected monitor is assigned
	readyOnce sync.Once
	wake      chan struct{} // a result was queued
	changed   chan struct{} // the assignments changed
}

// joinAgent joins the gateway with token under name: a fresh key, a CSR,
// the join request over TLS that pins the server's CA, and afterwards a
// client that presents the issued certificate.
func joinAgent(ctx context.Context, gateway string, tok wire.JoinToken, name string, st *stats, interval time.Duration, seed uint64) (*simAgent, error) {
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		return nil, err
	}
	csr, err := pki.NewCSR(key, name)
	if err != nil {
		return nil, err
	}
	joinClient, err := newClient(tok.Fingerprint, nil)
	if err != nil {
		return nil, err
	}
	defer joinClient.CloseIdleConnections()
	req := wire.JoinRequest{
		TokenID: tok.ID, Secret: tok.Secret, CSR: string(csr), Name: name,
		Hostname: name, OS: "linux", Arch: "amd64", Version: simVersion,
	}
	var resp wire.JoinResponse
	if _, err := post(ctx, joinClient, gateway+wire.PathJoin, &req, wire.MaxJoinBody, &resp); err != nil {
		return nil, fmt.Errorf("join %s: %w", name, err)
	}
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), keyPEM)
	if err != nil {
		return nil, fmt.Errorf("join %s: the issued certificate: %w", name, err)
	}
	c, err := newClient(tok.Fingerprint, &cert)
	if err != nil {
		return nil, err
	}
	return &simAgent{
		id: resp.AgentID, name: resp.Name, gateway: gateway, http: c, st: st, interval: interval,
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		expected: map[string]string{}, jobs: map[string]*simCheck{}, spot: map[string][]checks.Result{},
		ready: make(chan struct{}), wake: make(chan struct{}, 1), changed: make(chan struct{}, 1),
	}, nil
}

// newClient returns an HTTPS client that trusts only the CA with
// fingerprint pin and presents cert when not nil; its transport is set
// up like the real agent's.
func newClient(pin string, cert *tls.Certificate) (*http.Client, error) {
	cfg, err := pki.PinnedClientConfig(pin)
	if err != nil {
		return nil, err
	}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 15 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}}, nil
}

// post sends msg and decodes a 2xx answer's body into out; a non-2xx
// answer is the server's *wire.Error.
func post(ctx context.Context, c *http.Client, url string, msg wire.Validator, maxResp int64, out wire.Validator) (int, error) {
	var body bytes.Buffer
	if err := wire.Encode(&body, msg); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	defer io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return resp.StatusCode, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, wire.Decode(resp.Body, maxResp, out)
	}
	var we wire.Error
	if err := wire.Decode(resp.Body, wire.MaxErrorBody, &we); err != nil {
		return resp.StatusCode, fmt.Errorf("status %d without a wire error: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, &we
}

// expect records a monitor created for this agent through the API.
func (a *simAgent) expect(id, typ string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.expected[id] = typ
}

// spotCheck marks monitor id for the final read-back: its acknowledged
// results are kept.
func (a *simAgent) spotCheck(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.spot[id] = []checks.Result{}
}

// run runs the agent: its long-poll and delivery until ctx ends, its
// checks until checksCtx ends (earlier, so what they made can drain).
func (a *simAgent) run(ctx, checksCtx context.Context, wg *sync.WaitGroup) {
	wg.Add(3)
	go func() { defer wg.Done(); a.pollLoop(ctx) }()
	go func() { defer wg.Done(); a.checkLoop(checksCtx) }()
	go func() { defer wg.Done(); a.deliverLoop(ctx) }()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
