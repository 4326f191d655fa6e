package gateway

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fimEnv is an env whose agents scan one policy, with a recorder of the
// reports the gateway hands on.
type fimEnv struct {
	*env
	url string // a server with the FIM route

	mu      sync.Mutex
	policy  wire.FIMPolicy
	reports []*wire.FIMReport
	fail    error // FIMReport returns it when set
}

func newFIMEnv(t *testing.T) *fimEnv {
	t.Helper()
	fe := &fimEnv{policy: wire.FIMPolicy{ID: "3", Revision: "rev1", Paths: []string{"/etc"}, Interval: wire.Duration(time.Hour)}}
	fe.env = newEnv(t, func(c *Config) {
		c.FIM = fe.fim
		c.FIMReport = fe.report
	})
	fe.url = fe.serveFIM(t)
	return fe
}

// serveFIM serves the gateway's routes over the gateway's TLS and returns
// its URL.
func (fe *fimEnv) serveFIM(t *testing.T) string {
	mux := fe.gw.Handler()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, TLSConfig: fe.gw.TLSConfig()}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return "https://" + ln.Addr().String()
}

func (fe *fimEnv) fim(string) []wire.FIMPolicy {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return []wire.FIMPolicy{fe.policy}
}

func (fe *fimEnv) report(_ context.Context, agentID string, r *wire.FIMReport) error {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if fe.fail != nil {
		return fe.fail
	}
	fe.reports = append(fe.reports, r)
	return nil
}

func (fe *fimEnv) setFail(err error) {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	fe.fail = err
}

func (fe *fimEnv) send(a agent, body []byte, out any) int {
	fe.t.Helper()
	saved := fe.env.url
	fe.env.url = fe.url
	defer func() { fe.env.url = saved }()
	return fe.postRaw(a.http, wire.PathFIMReport, body, out)
}

func fimReportJSON(policy, revision string, seq uint32, done bool, extra string) []byte {
	doneText := "false"
	if done {
		doneText = "true"
	}
	return []byte(`{"policy_id":"` + policy + `","revision":"` + revision + `","epoch":"` + testEpoch + `","scan":2,"seq":` + string(rune('0'+seq)) +
		`,"started":"2026-01-01T00:00:00Z","progress":{"objects":5,"bytes":100,"errors":0},"done":` + doneText + extra + `}`)
}

// testEpoch is the agent's state id in the reports.
const testEpoch = "0123456789abcdef0123456789abcdef"

func TestFIMReport(t *testing.T) {
	fe := newFIMEnv(t)
	a := fe.join("web1")
	change := `,"changes":[{"path":"/etc/hosts","change":"added","after":{"type":"file","sha256":"` + strings.Repeat("a", 64) +
		`","size":10,"mode":420,"uid":0,"gid":0,"mtime":"2026-01-01T00:00:00Z"}}]`
	big := bytes.Repeat([]byte(" "), wire.MaxFIMReportBody+1)
	tests := []struct {
		name   string
		body   []byte
		fail   error
		status int
		code   string
		field  string
	}{
		{"committed and acknowledged", fimReportJSON("3", "rev1", 1, false, change), nil, 200, "", ""},
		{"another revision", fimReportJSON("3", "rev0", 2, false, ""), nil, 410, wire.CodePolicyGone, ""},
		{"a policy not assigned", fimReportJSON("4", "rev1", 2, false, ""), nil, 410, wire.CodePolicyGone, ""},
		{"policy deleted while committing", fimReportJSON("3", "rev1", 2, false, ""), ErrPolicyGone, 410, wire.CodePolicyGone, ""},
		{"store failing", fimReportJSON("3", "rev1", 2, false, ""), errors.New("disk full"), 503, wire.CodeUnavailable, ""},
		{"too large", big, nil, 413, wire.CodeTooLarge, ""},
		{"not JSON", []byte(`{"policy_id":`), nil, 400, wire.CodeBadRequest, ""},
		{"unknown field", []byte(`{"policy_id":"3","evil":1}`), nil, 400, wire.CodeBadRequest, ""},
		{"no scan number", []byte(`{"policy_id":"3","revision":"rev1","epoch":"` + testEpoch + `","seq":1,"started":"2026-01-01T00:00:00Z","progress":{}}`), nil, 400, wire.CodeBadRequest, "scan"},
		{"a removal in a baseline", fimReportJSON("3", "rev1", 1, false, `,"baseline":true,"changes":[{"path":"/etc/x","change":"removed","before":{"type":"dir","size":0,"mode":0,"uid":0,"gid":0,"mtime":"2026-01-01T00:00:00Z"}}]`), nil, 400, wire.CodeBadRequest, "changes[0].change"},
		{"relative path", fimReportJSON("3", "rev1", 1, false, `,"changes":[{"path":"etc","change":"added","after":{"type":"dir","size":0,"mode":0,"uid":0,"gid":0,"mtime":"2026-01-01T00:00:00Z"}}]`), nil, 400, wire.CodeBadRequest, "changes[0].path"},
		{"no epoch", []byte(`{"policy_id":"3","revision":"rev1","scan":2,"seq":1,"started":"2026-01-01T00:00:00Z","progress":{}}`), nil, 400, wire.CodeBadRequest, "epoch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe.setFail(tt.fail)
			var werr wire.Error
			var ack wire.FIMAck
			var out any = &werr
			if tt.status == 200 {
				out = &ack
			}
			status := fe.send(a, tt.body, out)
			if status != tt.status || werr.Code != tt.code || werr.Field != tt.field {
				t.Fatalf("status %d code %q field %q, want %d %q %q (%s)", status, werr.Code, werr.Field, tt.status, tt.code, tt.field, werr.Message)
			}
			if tt.status == 200 && (ack.PolicyID != "3" || ack.Scan != 2 || ack.Seq != 1) {
				t.Errorf("ack = %+v", ack)
			}
		})
	}
	fe.mu.Lock()
	n := len(fe.reports)
	fe.mu.Unlock()
	if n != 1 {
		t.Errorf("%d reports handed on, want only the good one", n)
	}
	p, ok := fe.gw.FIMProgress("3", a.id)
	if !ok || !p.Scanning || p.Objects != 5 || p.Bytes != 100 || p.Scan != 2 {
		t.Errorf("progress = %+v, %v", p, ok)
	}
	fe.gw.ForgetFIM("3")
	if _, ok := fe.gw.FIMProgress("3", a.id); ok {
		t.Error("progress kept after ForgetFIM")
	}
}

func TestFIMInAssignments(t *testing.T) {
	fe := newFIMEnv(t)
	a := fe.join("web1")
	var as wire.Assignments
	if status := fe.post(a.http, wire.PathAssignments, poll(""), &as); status != 200 {
		t.Fatalf("poll: %d", status)
	}
	if len(as.FIM) != 1 || as.FIM[0].ID != "3" || as.FIM[0].Revision != "rev1" {
		t.Fatalf("fim = %+v", as.FIM)
	}
	first := as.Version
	fe.mu.Lock()
	fe.policy.ScanRequest = 1
	fe.mu.Unlock()
	fe.gw.Notify()
	if status := fe.post(a.http, wire.PathAssignments, poll(first), &as); status != 200 || as.Version == first || as.FIM[0].ScanRequest != 1 {
		t.Errorf("after scan now: status %d, version %s (was %s), fim %+v", status, as.Version, first, as.FIM)
	}
}

func TestFIMProgress(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	c := &clock{t: start}
	g := New(Config{Now: c.now})
	r := &wire.FIMReport{PolicyID: "1", Scan: 4, Seq: 1, Baseline: true, Started: start.Add(-10 * time.Second),
		Progress: fim.Progress{Objects: 1000, Bytes: 10 << 20}}
	g.noteFIMProgress("a", r)
	p, _ := g.FIMProgress("1", "a")
	if !p.Scanning || !p.Baseline || p.ObjectsPerSecond != 100 || p.BytesPerSecond != 1<<20 {
		t.Errorf("first report: %+v", p)
	}
	c.set(start.Add(10 * time.Second))
	r2 := *r
	r2.Seq, r2.Progress = 2, fim.Progress{Objects: 3000, Bytes: 30 << 20}
	g.noteFIMProgress("a", &r2)
	if p, _ = g.FIMProgress("1", "a"); p.ObjectsPerSecond != 150 {
		t.Errorf("second report: %+v", p)
	}
	c.set(start.Add(10*time.Second + FIMSilentAfter))
	if p, _ = g.FIMProgress("1", "a"); p.Scanning {
		t.Errorf("silent for %s, still scanning", FIMSilentAfter)
	}
	r3 := r2
	r3.Seq, r3.Done = 3, true
	g.noteFIMProgress("a", &r3)
	if p, _ = g.FIMProgress("1", "a"); p.Scanning || p.Objects != 3000 {
		t.Errorf("done: %+v", p)
	}
	if _, ok := g.FIMProgress("1", "b"); ok {
		t.Error("progress of an agent that sent nothing")
	}
}
