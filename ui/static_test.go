package ui

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestStaticServesEveryFile(t *testing.T) {
	want := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".svg": "image/svg+xml",
		".md":  "text/markdown; charset=utf-8",
	}
	var names []string
	err := filepath.WalkDir("static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, strings.TrimPrefix(filepath.ToSlash(path), "static/"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("found only %v under static/", names)
	}
	h := Static()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			disk, err := os.ReadFile(filepath.Join("static", name))
			if err != nil {
				t.Fatal(err)
			}
			url := StaticPath(name)
			if !strings.Contains(url, "?v=") {
				t.Fatalf("StaticPath(%q) = %q has no version", name, url)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", url, rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != want[filepath.Ext(name)] {
				t.Errorf("Content-Type = %q, want %q", ct, want[filepath.Ext(name)])
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control = %q, want a long immutable cache", cc)
			}
			if rec.Body.String() != string(disk) {
				t.Error("served body differs from the file on disk")
			}
		})
	}
}

func TestStaticRequests(t *testing.T) {
	h := Static()
	tests := []struct {
		name, method, path string
		code               int
		cache              string
	}{
		{"stale version revalidates", http.MethodGet, "/static/app.css?v=old", http.StatusOK, "no-cache"},
		{"mounted with StripPrefix", http.MethodGet, "/app.css", http.StatusOK, "no-cache"},
		{"head", http.MethodHead, StaticPath("app.js"), http.StatusOK, "public, max-age=31536000, immutable"},
		{"missing", http.MethodGet, "/static/nope.js", http.StatusNotFound, ""},
		{"directory", http.MethodGet, "/static/", http.StatusNotFound, ""},
		{"traversal", http.MethodGet, "/static/../static.go", http.StatusNotFound, ""},
		{"post", http.MethodPost, StaticPath("app.js"), http.StatusMethodNotAllowed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.code {
				t.Errorf("%s %s: code %d, want %d", tc.method, tc.path, rec.Code, tc.code)
			}
			if tc.cache != "" && rec.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", rec.Header().Get("Cache-Control"), tc.cache)
			}
		})
	}
	t.Run("not modified", func(t *testing.T) {
		first := httptest.NewRecorder()
		h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, StaticPath("app.css"), nil))
		req := httptest.NewRequest(http.MethodGet, StaticPath("app.css"), nil)
		req.Header.Set("If-None-Match", first.Header().Get("ETag"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("code %d, want 304", rec.Code)
		}
	})
}

func TestLiveRefresh(t *testing.T) {
	p := sampleDashboard()
	p.Query, p.Status = "pay & co", "problem"
	doc := parse(t, render(t, DashboardTable(p)))
	tables := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "monitor-table" })
	if len(tables) != 1 {
		t.Fatal("no #monitor-table in the fragment")
	}
	for key, want := range map[string]string{
		"hx-get":     "/?partial=table&q=pay+%26+co&status=problem",
		"hx-trigger": "every 10s",
		"hx-swap":    "outerHTML",
	} {
		if got, _ := attr(tables[0], key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	oob := findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "hx-swap-oob"); return ok })
	if len(oob) != 1 {
		t.Errorf("summary strip not swapped out of band")
	}
	sum := parse(t, render(t, MonitorSummary(sampleMonitor())))
	s := findAll(sum, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "monitor-summary" })
	if len(s) != 1 {
		t.Fatal("no #monitor-summary")
	}
	if got, _ := attr(s[0], "hx-get"); got != "/monitors/m1?partial=summary" {
		t.Errorf("summary hx-get = %q", got)
	}
	st := findAll(sum, byTestID("monitor-status"))
	if len(st) != 1 || text(st[0]) != "ok" {
		t.Errorf("monitor-status text is not the status word")
	}
}
