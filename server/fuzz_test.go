package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-monitor/vigil/store"
)

// FuzzMonitorInput feeds arbitrary bodies through the API's decoding and
// validation: it must never panic, and must either refuse with a 4xx that
// names a sentence or produce a monitor that passes validation again.
func FuzzMonitorInput(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","type":"http","target":"https://example.com","interval":"30s"}`,
		`{"name":"a","type":"tcp","target":"h:1","settings":{"send":"x","expect":"y"}}`,
		`{"name":"a","type":"dns","target":"example.com","settings":{"record_type":"MX","expect":["10 mx"]}}`,
		`{"name":"a","type":"icmp","target":"127.0.0.1","timeout":"1s","interval":"1s","confirm":3}`,
		`{"name":"a","type":"tls","target":"example.com:443","depends_on":["1"],"tags":["x"]}`,
		`{"name":"","type":"","target":""}`,
		`{"name":"a","settings":null,"locations":[]}`,
		`[]`, `null`, `{"name":1}`, `{"interval":"-1s"}`,
	} {
		f.Add(seed)
	}
	existing := map[string]store.Monitor{"1": {ID: "1", Name: "parent"}}
	lookup := func(id string) (store.Monitor, bool) { m, ok := existing[id]; return m, ok }
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/monitors", strings.NewReader(body))
		var in monitorInput
		err := decodeJSON(httptest.NewRecorder(), req, &in)
		var m store.Monitor
		if err == nil {
			err = in.toMonitor(&m, "", lookup)
		}
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status < 400 || ae.Status > 499 || ae.Msg == "" {
				t.Fatalf("body %q: error %v is not a 4xx with a sentence", body, err)
			}
			return
		}
		again := inputFromMonitor(m)
		var m2 store.Monitor
		if err := again.toMonitor(&m2, "", lookup); err != nil {
			t.Fatalf("accepted monitor %+v fails validation when sent back: %v", m, err)
		}
	})
}
