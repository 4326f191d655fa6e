package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/store"
)

// TestAPITokenNameInAudit checks docs/api.md's promise that an API
// token's name is shown in the audit log: a change made with a named
// token is recorded as the user "(token NAME)", with a name that would
// hide text escaped; one made with an unnamed token as the user alone.
func TestAPITokenNameInAudit(t *testing.T) {
	ts := newTestServer(t, true)
	tests := []struct{ name, want string }{
		{"trial", "admin (token trial)"},
		{"", "admin"},
		{"backup script", "admin (token backup script)"},
		{"evil\u202etxt.exe\nx", `admin (token "evil\u202etxt.exe\nx")`},
	}
	for i, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var out struct{ Token string }
			ts.call(t, "", "POST", "/api/v1/auth/token",
				map[string]string{"username": "admin", "password": testPassword, "name": tt.name}, http.StatusCreated, &out)
			var m struct{ ID string }
			ts.call(t, out.Token, "POST", "/api/v1/monitors",
				map[string]any{"name": "t" + string(rune('a'+i)), "type": "tcp", "target": "127.0.0.1:1"}, http.StatusCreated, &m)
			es, err := ts.db.Audit(store.AuditQuery{Target: "monitor:" + m.ID})
			if err != nil || len(es) != 1 {
				t.Fatalf("audit of monitor %s: %d entries, %v", m.ID, len(es), err)
			}
			if es[0].Actor != tt.want || es[0].ActorID == "" || es[0].IP == "" {
				t.Errorf("audited actor %q (id %q, ip %q), want %q with the user's id and the address", es[0].Actor, es[0].ActorID, es[0].IP, tt.want)
			}
		})
	}
	// The Audit page shows it.
	b := newBrowser(t, ts)
	b.login()
	if _, page := b.get("/audit"); !strings.Contains(page, "admin (token trial)") {
		t.Error("the audit page does not show the token's name")
	}
}
