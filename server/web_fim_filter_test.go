package server

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// TestWebFIMPathFilterFindsWhatIsShown: the change list shows a newline or
// a right-to-left override in a name as an escape (ui's copy of the
// escaping); filtering by that shown text finds the change (the store's
// copy, internal/shown), so the two stay alike.
func TestWebFIMPathFilterFindsWhatIsShown(t *testing.T) {
	ts := newTestServer(t, true)
	agent := ts.addAgent(t, "web-1")
	b := newBrowser(t, ts)
	csrf := b.login()
	resp, page := b.post("/fim/policies", fimForm(csrf))
	if resp.StatusCode != 303 {
		t.Fatalf("create: status %d:\n%s", resp.StatusCode, page)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/fim/policies/")
	pol, err := ts.db.FIMPolicy(id)
	if err != nil {
		t.Fatal(err)
	}
	obj := fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("a", 64), Size: 1, Mode: 0o644, MTime: time.Unix(1, 0)}
	odd := []string{"/var/www/new\nline", "/var/www/invoice\u202etxt.exe", "/var/www/esc\x1b[31m"}
	for scan, baseline := range []bool{true, false} {
		var changes []fim.Change
		for _, p := range odd {
			if baseline {
				p = "/var/www/plain"
			}
			changes = append(changes, fim.Change{Path: p, Kind: fim.Added, After: &obj})
			if baseline {
				break
			}
		}
		r := &wire.FIMReport{PolicyID: id, Revision: pol.Revision, Scan: uint64(scan + 1), Seq: 1, Baseline: baseline,
			Started: time.Now(), Changes: changes, Progress: fim.Progress{Objects: 1}, Done: true}
		if _, err := ts.db.ApplyFIMReport(agent.ID, r, fimSeverity(pol.Severity), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	shownPath := regexp.MustCompile(`data-testid="fim-change-path">([^<]*)<`)
	_, page = b.get("/fim/changes?policy=" + id)
	all := shownPath.FindAllStringSubmatch(page, -1)
	if len(all) != len(odd) {
		t.Fatalf("the list shows %d changes, want %d:\n%s", len(all), len(odd), page)
	}
	for _, m := range all {
		shown := html.UnescapeString(m[1])
		if strings.ContainsFunc(shown, func(r rune) bool { return r < ' ' || r == '\u202e' }) {
			t.Errorf("shown %q: a control character left as it is", shown)
		}
		_, found := b.get("/fim/changes?policy=" + id + "&path=" + url.QueryEscape(shown))
		if got := shownPath.FindAllStringSubmatch(found, -1); len(got) != 1 || got[0][1] != m[1] {
			t.Errorf("filtering by %q, as shown, finds %v", shown, got)
		}
	}
}
