package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
)

// startTestServerAt runs a server on the data directory dir (an
// administrator "admin" is made when none exists) until stop is called.
func startTestServerAt(t *testing.T, dir string) (ts *testServer, stop func()) {
	t.Helper()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: dir, Listen: "127.0.0.1:0", LogFormat: "text", AdminUser: "admin", AdminPasswordFile: pw}
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &lockedBuffer{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(cfg, slog.New(slog.NewTextHandler(logBuf, nil)), db, ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	ts = &testServer{Server: s, log: logBuf, http: &httptest.Server{URL: "http://" + ln.Addr().String()}}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	}
	t.Cleanup(stop)
	return ts, stop
}

// A replaced secret.key must not stop the server: the monitor's checks
// report the problem at each of its locations, the log says it, agents
// get nothing they cannot use, and entering the secret again mends it.
func TestUndecryptableSecretsReportAProblem(t *testing.T) {
	dir := t.TempDir()
	ts, stop := startTestServerAt(t, dir)
	admin := ts.token(t, "admin")
	edge := ts.addAgent(t, "edge-1")
	var out monitorOutput
	ts.call(t, admin, "POST", "/api/v1/monitors", `{"name":"db","type":"secrettest","target":"db.example:3306","interval":"1s","timeout":"1s",
		"locations":["server","edge-1"],"settings":{"user":"vigil","password":"before-the-key-changed"}}`, http.StatusCreated, &out)
	stop()

	other := bytes.Repeat([]byte{42}, seal.KeySize)
	if err := os.WriteFile(filepath.Join(dir, secretKeyFile), other, 0o600); err != nil {
		t.Fatal(err)
	}
	ts, _ = startTestServerAt(t, dir)
	admin = ts.token(t, "admin")
	if !strings.Contains(ts.log.String(), "settings cannot be decrypted: the data directory's secret.key changed") {
		t.Errorf("the log does not say the settings cannot be decrypted:\n%s", ts.log.String())
	}
	if _, list := ts.agentAssignments(&assignIndex{}, edge.ID); len(list) != 0 {
		t.Errorf("the agent is assigned %+v, settings it cannot use", list)
	}
	waitForResults(t, ts, admin, out.ID, func(r resultOut) bool {
		return r.Status == "problem" && r.Message == "settings cannot be decrypted: the data directory's secret.key changed"
	}, serverLocation, edge.ID)

	// It can still be renamed: the sealed value is kept as it was (it
	// opens again if the old key comes back), and still reported.
	before, _ := ts.db.Monitor(out.ID)
	ts.call(t, admin, "PUT", "/api/v1/monitors/"+out.ID, `{"name":"db2"}`, http.StatusOK, nil)
	if after, _ := ts.db.Monitor(out.ID); string(after.Settings) != string(before.Settings) {
		t.Errorf("renaming changed the stored settings from %s to %s", before.Settings, after.Settings)
	}
	renamed := time.Now()
	waitForResults(t, ts, admin, out.ID, func(r resultOut) bool {
		return r.At.After(renamed) && r.Status == "problem" && strings.HasPrefix(r.Message, "settings cannot be decrypted")
	}, serverLocation, edge.ID)
	// Moved elsewhere it is not kept.
	var e errorBody
	ts.call(t, admin, "PUT", "/api/v1/monitors/"+out.ID, `{"target":"evil.example:3306"}`, http.StatusBadRequest, &e)
	if e.Field != "settings.password" || !strings.Contains(e.Error, "another host") {
		t.Errorf("moving with the lost password kept: %+v", e)
	}
	mended := time.Now()
	ts.call(t, admin, "PUT", "/api/v1/monitors/"+out.ID, `{"settings":{"user":"vigil","password":"entered-again"}}`, http.StatusOK, nil)
	waitForResults(t, ts, admin, out.ID, func(r resultOut) bool {
		return r.At.After(mended) && r.Status == "ok" && r.Message == "logged in as vigil"
	}, serverLocation)
	if n := ts.sched.Stats().Jobs; n != 1 {
		t.Errorf("%d scheduler jobs after the password was entered again, want the monitor's own only", n)
	}
	if _, list := ts.agentAssignments(&assignIndex{}, edge.ID); len(list) != 1 || !strings.Contains(string(list[0].Settings), "entered-again") {
		t.Errorf("after the password was entered again the agent is assigned %+v", list)
	}
}

type resultOut struct {
	At       time.Time `json:"at"`
	Location string    `json:"location"`
	Status   string    `json:"status"`
	Message  string    `json:"message"`
}

// waitForResults waits until each location has a result that ok accepts.
func waitForResults(t *testing.T, ts *testServer, token, id string, ok func(resultOut) bool, locations ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var list []resultOut
		ts.call(t, token, "GET", "/api/v1/monitors/"+id+"/results?limit=100", nil, http.StatusOK, &list)
		seen := map[string]bool{}
		for _, r := range list {
			if ok(r) {
				seen[r.Location] = true
			}
		}
		missing := []string{}
		for _, l := range locations {
			if !seen[l] {
				missing = append(missing, l)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching result from %q; results: %+v", missing, list)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
