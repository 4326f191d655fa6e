package server

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestWebFIMPolicyEditLink checks the policy page's Edit button without
// JavaScript: it links to ?edit=1#edit, and that page has the edit form
// open, which the plain page has closed.
func TestWebFIMPolicyEditLink(t *testing.T) {
	ts := newTestServer(t, true)
	ts.addAgent(t, "web-1")
	b := newBrowser(t, ts)
	resp, page := b.post("/fim/policies", fimForm(b.login()))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d:\n%s", resp.StatusCode, page)
	}
	loc := resp.Header.Get("Location")
	editDetails := regexp.MustCompile(`<details class="fim-edit"[^>]*>`)
	tests := []struct {
		path string
		open bool
	}{
		{loc, false},
		{loc + "?edit=1", true},
		{loc + "?edit=0", false},
		{loc + "?range=1h&edit=1", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, page := b.get(tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(page, `href="`+loc+`?edit=1#edit"`) {
				t.Errorf("the Edit button does not link to %s?edit=1#edit", loc)
			}
			tag := editDetails.FindString(page)
			if tag == "" {
				t.Fatalf("no edit form:\n%s", page)
			}
			if open := strings.Contains(tag, " open"); open != tt.open {
				t.Errorf("edit form %s, open %v; want %v", tag, open, tt.open)
			}
		})
	}
}
