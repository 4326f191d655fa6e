package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// BenchmarkDashboard measures the server's time for the dashboard (first
// page, and the live-refresh fragment) with 10,000 monitors, each with a
// full sparkline and state.
func BenchmarkDashboard(b *testing.B) {
	const n = 10000
	ts := newTestServer(b, true)
	now := time.Now()
	var batch []store.MonitorResult
	for i := range n {
		m := store.Monitor{ID: fmt.Sprint(i + 1), Name: fmt.Sprintf("service %05d", i), Type: "http",
			Target: fmt.Sprintf("https://host%d.example/health", i), Interval: 30 * time.Second,
			Timeout: 10 * time.Second, Locations: []string{"server"}, Confirm: 2, MinFailedLocations: 1}
		ts.monitors.put(m)
		ts.engine.UpsertMonitor(m)
		ts.live.Upsert(m)
		for k := range 30 {
			st := checks.StatusOK
			if i%97 == 0 {
				st = checks.StatusProblem
			}
			batch = append(batch, store.MonitorResult{MonitorID: m.ID, Result: checks.Result{
				At: now.Add(time.Duration(k-30) * 30 * time.Second), Location: "server", Status: st,
				LatencyMS: float64(10 + k%7), Message: "200 OK"}})
		}
	}
	ts.live.Observe(batch)
	ts.engine.Apply(batch)

	br := newBrowser(b, ts)
	br.login()
	cookies := br.client.Jar.Cookies(mustURL(ts.url("/")))
	handler := ts.routes()
	for _, c := range []struct{ name, path string }{{"page", "/"}, {"fragment", "/?partial=table"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				req.Header.Set("HX-Request", "true")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "monitor-row") {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
