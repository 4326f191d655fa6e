package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// maxTokenUses is the most uses the API gives one join token.
const maxTokenUses = 1000

// apiClient calls the JSON API with a bearer token.
type apiClient struct {
	base, token string
	http        *http.Client
}

func login(ctx context.Context, base string) (*apiClient, error) {
	c := &apiClient{base: base, http: &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}}
	var tok struct{ Token string }
	err := c.do(ctx, http.MethodPost, "/api/v1/auth/token",
		map[string]string{"username": adminUser, "password": adminPassword}, http.StatusCreated, &tok)
	if err != nil {
		return nil, err
	}
	c.token = tok.Token
	return c, nil
}

func (c *apiClient) do(ctx context.Context, method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// joinTokens creates enough join tokens for n agents.
func (c *apiClient) joinTokens(ctx context.Context, n int) ([]wire.JoinToken, error) {
	var out []wire.JoinToken
	for left := n; left > 0; left -= maxTokenUses {
		var resp struct{ Token string }
		in := map[string]any{"ttl": "2h", "uses": min(left, maxTokenUses)}
		if err := c.do(ctx, http.MethodPost, "/api/v1/join-tokens", in, http.StatusCreated, &resp); err != nil {
			return nil, err
		}
		tok, err := wire.ParseJoinToken(resp.Token)
		if err != nil {
			return nil, fmt.Errorf("join token from the API: %w", err)
		}
		out = append(out, tok)
	}
	return out, nil
}

// monitorSpec is a host monitor the simulated agents run.
type monitorSpec struct{ typ, target string }

// hostMonitors are the host types a real agent runs, with the targets
// bench/agent-footprint.sh gives them.
var hostMonitors = []monitorSpec{
	{"cpu", ""}, {"memory", ""}, {"swap", ""}, {"disk", "/"}, {"load", ""},
	{"network", "lo"}, {"process", "init"}, {"cpu", ""}, {"memory", ""}, {"disk", "/"},
}

// createMonitors creates perAgent host monitors located on each agent,
// 32 requests in flight, and records their ids in the agents.
func (c *apiClient) createMonitors(ctx context.Context, agents []*simAgent, perAgent int, interval time.Duration) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		a *simAgent
		i int
	}
	next := make(chan job)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for j := range next {
				spec := hostMonitors[j.i%len(hostMonitors)]
				in := map[string]any{
					"name": j.a.name + " " + spec.typ + " " + strconv.Itoa(j.i), "type": spec.typ, "target": spec.target,
					"interval": interval.String(), "locations": []string{j.a.id},
				}
				var out struct{ ID string }
				if err := c.do(ctx, http.MethodPost, "/api/v1/monitors", in, http.StatusCreated, &out); err != nil {
					cancel(err)
					continue
				}
				j.a.expect(out.ID, spec.typ)
			}
		})
	}
feed:
	for _, a := range agents {
		for i := range perAgent {
			select {
			case next <- job{a, i}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("create monitors: %w", err)
	}
	return ctx.Err()
}

// results returns every stored result of monitor id at location after
// since, oldest first, paging through the API.
func (c *apiClient) results(ctx context.Context, id, location string, since time.Time) ([]checks.Result, error) {
	var all []checks.Result
	for {
		q := url.Values{"since": {since.UTC().Format(time.RFC3339Nano)}, "location": {location}, "limit": {"10000"}}
		var page []checks.Result
		if err := c.do(ctx, http.MethodGet, "/api/v1/monitors/"+url.PathEscape(id)+"/results?"+q.Encode(), nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 10000 {
			return all, nil
		}
		since = page[len(page)-1].At
	}
}

// ingestStats is the ingest part of GET /api/v1/system.
type ingestStats struct {
	Queued, Committed, Batches int64
}

func (c *apiClient) ingest(ctx context.Context) (ingestStats, error) {
	var s struct {
		Ingest ingestStats `json:"ingest"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/system", nil, http.StatusOK, &s)
	return s.Ingest, err
}
