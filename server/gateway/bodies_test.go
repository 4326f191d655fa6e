package gateway

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/internal/wire"
)

func TestBadBodiesRefused(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	big := []byte(`{"seq":1,"results":[` + strings.Repeat(" ", wire.MaxResultsBody) + `]}`)
	tests := []struct {
		name   string
		client *http.Client
		path   string
		body   []byte
		status int
		code   string
	}{
		{"join too large", e.client(), wire.PathJoin, bytes.Repeat([]byte("x"), wire.MaxJoinBody+1), 413, wire.CodeTooLarge},
		{"join empty", e.client(), wire.PathJoin, nil, 400, wire.CodeBadRequest},
		{"join not JSON", e.client(), wire.PathJoin, []byte("{\"token_id\":"), 400, wire.CodeBadRequest},
		{"join unknown field", e.client(), wire.PathJoin, []byte(`{"evil":1}`), 400, wire.CodeBadRequest},
		{"join array", e.client(), wire.PathJoin, []byte(`[1,2]`), 400, wire.CodeBadRequest},
		{"join control bytes", e.client(), wire.PathJoin, []byte("{\"name\":\"\x01\x02\xff\"}"), 400, wire.CodeBadRequest},
		{"results too large", a.http, wire.PathResults, big, 413, wire.CodeTooLarge},
		{"results malformed", a.http, wire.PathResults, []byte(`{"seq":1,"results":[{"monitor_id":"m1","result":{"at":"yesterday"}}]}`), 400, wire.CodeBadRequest},
		{"results trailing data", a.http, wire.PathResults, []byte(`{"seq":1,"results":[]} {}`), 400, wire.CodeBadRequest},
		{"results no seq", a.http, wire.PathResults, []byte(`{"results":[]}`), 400, wire.CodeBadRequest},
		{"poll too large", a.http, wire.PathAssignments, bytes.Repeat([]byte(" "), wire.MaxPollBody+1), 413, wire.CodeTooLarge},
		{"poll wrong types", a.http, wire.PathAssignments, []byte(`{"version":1,"time":true}`), 400, wire.CodeBadRequest},
		{"renew not a CSR", a.http, wire.PathRenew, []byte(`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}`), 400, wire.CodeBadRequest},
		{"unknown path", a.http, "/agent/v1/nothing", []byte(`{}`), 404, codeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var werr wire.Error
			status := e.postRaw(tt.client, tt.path, tt.body, &werr)
			if status != tt.status || werr.Code != tt.code {
				t.Errorf("status %d code %q, want %d %q", status, werr.Code, tt.status, tt.code)
			}
			if err := werr.Validate(); err != nil {
				t.Errorf("error body does not validate: %v (%+v)", err, werr)
			}
		})
	}
}

func TestOnlyPost(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.client().Get(e.url + wire.PathJoin)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("GET: status %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
