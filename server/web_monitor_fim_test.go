package server

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// TestWebMonitorPageFIM checks a file-integrity monitor's page: it shows
// no timeout, latency or response-time chart (its results have none, and
// zeros would read as measured), links to the host's changes and sits
// under File integrity in the nav; a probe's page keeps all of those.
func TestWebMonitorPageFIM(t *testing.T) {
	ts := newTestServer(t, true)
	tok := ts.token(t, "admin")
	web1 := ts.addAgent(t, "web1")
	ts.call(t, tok, "POST", "/api/v1/fim/policies", `{"name":"etc","agents":["web1"],"paths":["/etc"]}`, http.StatusCreated, nil)
	waitFor(t, 5*time.Second, "the FIM monitor and its first result", func() bool {
		st, _ := fimStatus(ts, web1.ID)
		return st == checks.StatusOK
	})
	fimMon, _ := ts.fimMonitorOf(web1.ID)
	var tcp struct{ ID string }
	ts.call(t, tok, "POST", "/api/v1/monitors", `{"name":"t","type":"tcp","target":"127.0.0.1:1"}`, http.StatusCreated, &tcp)

	// What a monitor with response times shows before its first result,
	// and with one (the FIM monitor has one: its tables are there).
	latency := []string{"Timeout <strong>", "Last latency", "<h2>Response time</h2>", `data-testid="response-time"`}
	withResults := []string{"Average in range", `<th scope="col" class="num">Latency</th>`}
	changes := `href="/fim/changes?agent=` + web1.ID + `" data-testid="monitor-fim-changes"`
	tests := []struct {
		name, id, nav string
		fim           bool
	}{
		{"file integrity", fimMon.ID, "/fim", true},
		{"tcp", tcp.ID, "/", false},
	}
	b := newBrowser(t, ts)
	b.login()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.get("/monitors/" + tt.id)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, s := range latency {
				if strings.Contains(page, s) == tt.fim {
					t.Errorf("page has %s: %v, want %v", s, tt.fim, !tt.fim)
				}
			}
			if tt.fim {
				if !strings.Contains(page, "<h2>Recent results</h2>") || !strings.Contains(page, `data-testid="locations"`) {
					t.Fatal("the FIM monitor's page lacks its result and location tables")
				}
				for _, s := range withResults {
					if strings.Contains(page, s) {
						t.Errorf("page has %s", s)
					}
				}
			}
			if strings.Contains(page, changes) != tt.fim {
				t.Errorf("page links to the host's changes (%s): %v, want %v", changes, !tt.fim, tt.fim)
			}
			if !strings.Contains(page, `<a href="`+tt.nav+`" aria-current="page">`) {
				t.Errorf("the nav does not mark %s as the current section", tt.nav)
			}
			// The status timeline stays: it is what the monitor has.
			if !strings.Contains(page, `class="tl-axis"`) {
				t.Error("the status timeline is gone")
			}
			// The live summary refresh follows the same rules.
			req, _ := http.NewRequest("GET", ts.url("/monitors/"+tt.id+"?partial=summary"), nil)
			req.Header.Set("HX-Request", "true")
			r, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			summary, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(summary), "Last latency") == tt.fim || !strings.Contains(string(summary), `id="monitor-summary"`) {
				t.Errorf("summary refresh:\n%s", summary)
			}
		})
	}
	if got := monitorNav(fimMon); got != "fim" {
		t.Errorf("monitorNav(fim) = %q", got)
	}
	// On the dashboard its latency is "—", not the "0.00 ms" its results carry.
	_, dash := b.get("/")
	row := regexp.MustCompile(`(?s)data-monitor-id="` + regexp.QuoteMeta(fimMon.ID) + `">.*?data-label="Latency">([^<]*)<`).FindStringSubmatch(dash)
	if row == nil || row[1] != "—" {
		t.Errorf("dashboard latency of the FIM monitor: %q", row)
	}
}
