package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// apiClient calls the JSON API with a bearer token.
type apiClient struct {
	base, token string
	http        *http.Client
}

func login(ctx context.Context, base string) (*apiClient, error) {
	c := &apiClient{base: base, http: &http.Client{
		Timeout:   30 * time.Second,
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

// createMonitors creates n HTTP monitors with 32 requests in flight.
func createMonitors(ctx context.Context, c *apiClient, target string, n int, interval time.Duration) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range next {
				m := map[string]any{"name": "load " + strconv.Itoa(i), "type": "http",
					"target": target + "/m/" + strconv.Itoa(i), "interval": interval.String()}
				if err := c.do(ctx, http.MethodPost, "/api/v1/monitors", m, http.StatusCreated, nil); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("create monitors: %w", err)
	}
	return ctx.Err()
}

// system is the part of /api/v1/system the report uses.
type system struct {
	Monitors  int `json:"monitors"`
	Scheduler struct {
		Jobs, Running     int
		Executed, Skipped int64
		LagP50MS          float64 `json:"lag_p50_ms"`
		LagP99MS          float64 `json:"lag_p99_ms"`
		LagMaxMS          float64 `json:"lag_max_ms"`
	} `json:"scheduler"`
	Ingest struct{ Queued, Committed, Batches int64 } `json:"ingest"`
	Store  struct {
		FileBytes      int64   `json:"file_bytes"`
		Results        int64   `json:"results"`
		Chunks         int64   `json:"chunks"`
		EncodedBytes   int64   `json:"encoded_bytes"`
		BytesPerResult float64 `json:"bytes_per_result"`
	} `json:"store"`
}

func (c *apiClient) system(ctx context.Context) (system, error) {
	var s system
	err := c.do(ctx, http.MethodGet, "/api/v1/system", nil, http.StatusOK, &s)
	return s, err
}

var csrfRE = regexp.MustCompile(`name="csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf"`)

// webSession signs in through the login form and returns a client holding
// the session cookie.
func webSession(ctx context.Context, base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(base + "/login")
	if err != nil {
		return nil, fmt.Errorf("get /login: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if m == nil {
		return nil, errors.New("get /login: no csrf field in the form")
	}
	csrf := string(m[1]) + string(m[2])
	resp, err = hc.PostForm(base+"/login", url.Values{"username": {adminUser}, "password": {adminPassword},
		"csrf": {csrf}, "next": {"/"}})
	if err != nil {
		return nil, fmt.Errorf("post /login: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("post /login: status %d, want 303", resp.StatusCode)
	}
	return hc, nil
}

var serverTimingRE = regexp.MustCompile(`app;dur=([0-9.]+)`)

// dashboardTimes fetches / n times and returns the server's own time (the
// Server-Timing header) and the whole request time, in milliseconds.
func dashboardTimes(ctx context.Context, hc *http.Client, base string, n int) (server, total []float64, err error) {
	for range n {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("get /: %w", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			return nil, nil, fmt.Errorf("get /: status %d", resp.StatusCode)
		}
		m := serverTimingRE.FindStringSubmatch(resp.Header.Get("Server-Timing"))
		if m == nil {
			return nil, nil, fmt.Errorf("get /: no app;dur in Server-Timing %q", resp.Header.Get("Server-Timing"))
		}
		d, _ := strconv.ParseFloat(m[1], 64)
		server = append(server, d)
		total = append(total, float64(took)/float64(time.Millisecond))
	}
	return server, total, nil
}
