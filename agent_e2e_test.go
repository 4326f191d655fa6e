package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// agentProcess is a running `vigil agent`.
type agentProcess struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startAgent runs `vigil agent` with args; it is killed when the test ends.
func startAgent(t *testing.T, args ...string) *agentProcess {
	t.Helper()
	a := &agentProcess{cmd: exec.Command(testenv.BuildVigil(t), append([]string{"agent"}, args...)...), out: &syncBuffer{}, done: make(chan struct{})}
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		_ = a.cmd.Process.Kill()
		<-a.done
		if t.Failed() {
			t.Logf("agent output:\n%s", a.out.String())
		}
	})
	return a
}

// runAgentToEnd runs `vigil agent` expecting it to stop by itself.
func runAgentToEnd(t *testing.T, args ...string) (exitCode int, output string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.BuildVigil(t), append([]string{"agent"}, args...)...)
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("vigil agent %v still running after 20 s:\n%s", args, out)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

type joinTokenAnswer struct {
	ID, Token, Command string
	UsesLeft           int `json:"uses_left"`
}

type agentAnswer struct {
	ID, Name, Status string
}

func newJoinToken(t *testing.T, c *testenv.Client, uses int) joinTokenAnswer {
	var tok joinTokenAnswer
	c.Do(t, http.MethodPost, "/api/v1/join-tokens", map[string]any{"ttl": "1h", "uses": uses}, http.StatusCreated, &tok)
	return tok
}

// waitOnline waits for the agent called name to be online and returns it.
func waitOnline(t *testing.T, c *testenv.Client, agent *agentProcess, name string) agentAnswer {
	t.Helper()
	var me agentAnswer
	testenv.WaitUntil(t, 15*time.Second, "the agent online", func(context.Context) (bool, string) {
		var list []agentAnswer
		c.Do(t, http.MethodGet, "/api/v1/agents", nil, http.StatusOK, &list)
		for _, a := range list {
			if a.Name == name && a.Status == "online" {
				me = a
				return true, ""
			}
		}
		return false, "agents: " + strings.TrimSpace(agent.out.String())
	})
	return me
}

// TestE2EAgent runs a real server and real agents: join with a token,
// online, a host monitor reporting from the agent, the token's limits, a
// wrong CA pin refused before the secret is sent, results spooled across
// a server restart, and revocation.
func TestE2EAgent(t *testing.T) {
	s, c := startAdminServer(t, "")
	gateway := "https://" + s.AgentAddr
	tok := newJoinToken(t, c, 1)
	if !strings.Contains(tok.Command, "vigil agent --server https://") || !strings.Contains(tok.Command, tok.Token) {
		t.Fatalf("join command %q", tok.Command)
	}

	agent := startAgent(t, "--server", gateway, "--token", tok.Token, "--state", t.TempDir(), "--name", "web-1")
	me := waitOnline(t, c, agent, "web-1")

	m := createMonitor(t, c, testenv.Monitor{Name: "web-1 memory", Type: "memory", Interval: "1s", Timeout: "1s", Locations: []string{"web-1"}})
	waitStatus(t, c, m.ID, "ok", 20*time.Second)
	var results []testenv.Result
	c.Do(t, http.MethodGet, "/api/v1/monitors/"+m.ID+"/results?limit=5", nil, http.StatusOK, &results)
	if len(results) == 0 || results[0].Location != me.ID || results[0].Values["used_percent"] <= 0 {
		t.Fatalf("results from the agent: %+v (agent id %s)", results, me.ID)
	}

	t.Run("a used-up token is refused", func(t *testing.T) {
		code, out := runAgentToEnd(t, "--server", gateway, "--token", tok.Token, "--state", t.TempDir())
		if code == 0 || !strings.Contains(out, "no uses left") {
			t.Errorf("exit %d, output %q: want non-zero and \"no uses left\"", code, out)
		}
	})
	t.Run("a wrong CA pin is refused before the secret is sent", func(t *testing.T) {
		fresh := newJoinToken(t, c, 1)
		wrongPin := fresh.Token[:strings.LastIndex(fresh.Token, ".")+1] + strings.Repeat("0", 64)
		code, out := runAgentToEnd(t, "--server", gateway, "--token", wrongPin, "--state", t.TempDir())
		if code == 0 || !strings.Contains(out, "nothing was sent") {
			t.Errorf("exit %d, output %q: want non-zero and the pin named", code, out)
		}
		var list []joinTokenAnswer
		c.Do(t, http.MethodGet, "/api/v1/join-tokens", nil, http.StatusOK, &list)
		for _, jt := range list {
			if jt.ID == fresh.ID && jt.UsesLeft != 1 {
				t.Errorf("the token was used (%d uses left): the secret reached the server", jt.UsesLeft)
			}
		}
	})

	outer := t
	t.Run("results are spooled across a server restart", func(t *testing.T) {
		if code, _ := s.Stop(); code != 0 {
			t.Fatalf("server exit %d", code)
		}
		stopped := time.Now()
		time.Sleep(4 * time.Second) // the agent keeps checking, every second, into its spool
		// Started on the outer test, so it outlives this subtest.
		s2 := testenv.StartServer(outer, testenv.Options{DataDir: s.DataDir, Addr: s.Addr, AgentAddr: s.AgentAddr})
		c2 := testenv.NewClient(s2.URL, c.Token)
		testenv.WaitUntil(t, 20*time.Second, "the spooled results delivered", func(context.Context) (bool, string) {
			var rs []testenv.Result
			c2.Do(t, http.MethodGet, "/api/v1/monitors/"+m.ID+"/results?since="+stopped.UTC().Format(time.RFC3339Nano)+"&limit=100", nil, http.StatusOK, &rs)
			var during int
			for _, r := range rs {
				if r.At.Before(stopped.Add(4 * time.Second)) {
					during++
				}
			}
			return during >= 3, "results from while the server was down: " + strings.Repeat("|", during)
		})
		c = c2
	})

	t.Run("a revoked agent is refused and stops", func(t *testing.T) {
		c.Do(t, http.MethodDelete, "/api/v1/agents/"+me.ID, nil, http.StatusNoContent, nil)
		select {
		case <-agent.done:
		case <-time.After(60 * time.Second):
			t.Fatal("the revoked agent is still running after 60 s")
		}
		if code := agent.cmd.ProcessState.ExitCode(); code == 0 || !strings.Contains(agent.out.String(), "revoked") {
			t.Errorf("revoked agent exited %d saying:\n%s", code, agent.out.String())
		}
	})
}

// TestE2EAgentExpiredToken: a join token past its TTL is refused with a
// clear message and a non-zero exit, and the agent gets no certificate.
// The shortest TTL the API takes is a minute, so this test waits that out
// in parallel with the others.
func TestE2EAgentExpiredToken(t *testing.T) {
	t.Parallel()
	s, c := startAdminServer(t, "")
	var tok joinTokenAnswer
	c.Do(t, http.MethodPost, "/api/v1/join-tokens", map[string]any{"ttl": "1m", "uses": 5}, http.StatusCreated, &tok)
	var listed []struct {
		ID        string
		ExpiresAt time.Time `json:"expires_at"`
	}
	c.Do(t, http.MethodGet, "/api/v1/join-tokens", nil, http.StatusOK, &listed)
	var expires time.Time
	for _, jt := range listed {
		if jt.ID == tok.ID {
			expires = jt.ExpiresAt
		}
	}
	if expires.IsZero() {
		t.Fatalf("token %s not listed with its expiry: %+v", tok.ID, listed)
	}
	time.Sleep(time.Until(expires) + 500*time.Millisecond)

	state := t.TempDir()
	code, out := runAgentToEnd(t, "--server", "https://"+s.AgentAddr, "--token", tok.Token, "--state", state)
	if code == 0 || !strings.Contains(out, "the token has expired") {
		t.Errorf("exit %d, output %q: want non-zero and \"the token has expired\"", code, out)
	}
	if _, err := os.Stat(filepath.Join(state, "agent.crt")); !os.IsNotExist(err) {
		t.Errorf("the refused agent has a certificate (stat: %v)", err)
	}
	var agents []agentAnswer
	c.Do(t, http.MethodGet, "/api/v1/agents", nil, http.StatusOK, &agents)
	if len(agents) != 0 {
		t.Errorf("agents after an expired join: %+v", agents)
	}
}

// TestE2EAgentLocalChecks runs the two host checks that read the agent's
// own configuration and files through a real server and agent: shell
// commands only by the names allow.d grants, and a log file followed
// across rotation and truncation.
func TestE2EAgentLocalChecks(t *testing.T) {
	t.Parallel()
	s, c := startAdminServer(t, "")
	tok := newJoinToken(t, c, 1)
	state := t.TempDir()
	allow := filepath.Join(state, "allow.d")
	if err := os.Mkdir(allow, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "# commands this host lets Vigil run\nanswer = echo 'answer is 42'\n"
	if err := os.WriteFile(filepath.Join(allow, "e2e.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir()
	logPath := filepath.Join(logDir, "app.log")
	writeFile(t, logPath, "INFO started\n")
	// A link in the log directory to the agent's key: read only by where it leads.
	keyLink := filepath.Join(logDir, "key.log")
	if err := os.Symlink(filepath.Join(state, "agent.key"), keyLink); err != nil {
		t.Fatal(err)
	}
	agent := startAgent(t, "--server", "https://"+s.AgentAddr, "--token", tok.Token, "--state", state, "--name", "local-1", "--log-dirs", logDir)
	waitOnline(t, c, agent, "local-1")

	allowed := createMonitor(t, c, testenv.Monitor{Name: "answer", Type: "shell", Target: "answer", Interval: "1s", Timeout: "1s",
		Locations: []string{"local-1"}, Settings: []byte(`{"range":"40..50"}`)})
	refused := createMonitor(t, c, testenv.Monitor{Name: "not allowed", Type: "shell", Target: "reboot", Interval: "1s", Timeout: "1s",
		Locations: []string{"local-1"}})
	logs := createMonitor(t, c, testenv.Monitor{Name: "app errors", Type: "logfile", Target: logPath, Interval: "1s", Timeout: "1s",
		Locations: []string{"local-1"}, Settings: []byte(`{"pattern":"ERROR","problem_count":0,"warning_count":1}`)})
	var keyReads []testenv.Monitor
	for _, target := range []string{filepath.Join(state, "agent.key"), keyLink} {
		keyReads = append(keyReads, createMonitor(t, c, testenv.Monitor{Name: "key " + target, Type: "logfile", Target: target, Interval: "1s", Timeout: "1s",
			Locations: []string{"local-1"}, Settings: []byte(`{"pattern":".","mode":"whole","max_lines":50}`)}))
	}

	t.Run("an allowed command runs", func(t *testing.T) {
		r := waitResult(t, c, allowed.ID, func(r testenv.Result) bool { return r.Status == "ok" })
		if r.Values["value"] != 42 || !strings.Contains(r.Message, "answer is 42") {
			t.Errorf("result %+v: want value 42 and the output", r)
		}
	})
	t.Run("a name allow.d does not grant is refused", func(t *testing.T) {
		r := waitResult(t, c, refused.ID, func(testenv.Result) bool { return true })
		if r.Status != "problem" || !strings.Contains(r.Message, "not allowed") {
			t.Errorf("result %+v: want a problem saying the command is not allowed", r)
		}
	})
	t.Run("a file outside --log-dirs is not read", func(t *testing.T) {
		for _, m := range keyReads {
			r := waitResult(t, c, m.ID, func(testenv.Result) bool { return true })
			if r.Status != "problem" || !strings.Contains(r.Message, "agent.key is outside the log directories this agent allows (--log-dirs: "+logDir+")") ||
				strings.Contains(r.Message, "PRIVATE KEY") || r.Values["lines"] != 0 {
				t.Errorf("%s: result %+v: want a problem naming the file and --log-dirs, and no line of the key", m.Target, r)
			}
		}
	})

	// The first run only starts watching; give it a moment before writing.
	waitResult(t, c, logs.ID, func(testenv.Result) bool { return true })
	t.Run("new lines are counted once", func(t *testing.T) {
		since := time.Now()
		appendFile(t, logPath, "ERROR one\nINFO fine\n")
		waitMatches(t, c, logs.ID, since, 1, "ERROR one")
	})
	t.Run("rotation by rename keeps the old file's last lines", func(t *testing.T) {
		since := time.Now()
		appendFile(t, logPath, "ERROR two\n")
		if err := os.Rename(logPath, logPath+".1"); err != nil {
			t.Fatal(err)
		}
		writeFile(t, logPath, "ERROR three\n")
		waitMatches(t, c, logs.ID, since, 2, "ERROR two", "ERROR three")
	})
	t.Run("truncation starts again from the top", func(t *testing.T) {
		since := time.Now()
		time.Sleep(1500 * time.Millisecond) // a run reads to the end of "ERROR three" first
		if err := os.Truncate(logPath, 0); err != nil {
			t.Fatal(err)
		}
		appendFile(t, logPath, "ERROR 4\n")
		waitMatches(t, c, logs.ID, since, 1, "ERROR 4")
	})
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// waitResult waits for a result of monitor id that ok accepts and returns it.
func waitResult(t *testing.T, c *testenv.Client, id string, ok func(testenv.Result) bool) testenv.Result {
	t.Helper()
	var found testenv.Result
	testenv.WaitUntil(t, 30*time.Second, "a result of "+id, func(context.Context) (bool, string) {
		var rs []testenv.Result
		c.Do(t, http.MethodGet, "/api/v1/monitors/"+id+"/results?limit=20", nil, http.StatusOK, &rs)
		for _, r := range rs {
			if ok(r) {
				found = r
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d results, none fits: %+v", len(rs), rs)
	})
	return found
}

// waitMatches waits until the log monitor's results since since count
// exactly want matches and quote every line in lines, and checks that no
// further match turns up in the next runs.
func waitMatches(t *testing.T, c *testenv.Client, id string, since time.Time, want int, lines ...string) {
	t.Helper()
	sum := func() (int, string) {
		var rs []testenv.Result
		c.Do(t, http.MethodGet, "/api/v1/monitors/"+id+"/results?limit=100&since="+since.UTC().Format(time.RFC3339Nano), nil, http.StatusOK, &rs)
		n, msgs := 0, ""
		for _, r := range rs {
			n += int(r.Values["matches"])
			msgs += r.Message + "\n"
		}
		return n, msgs
	}
	testenv.WaitUntil(t, 30*time.Second, fmt.Sprintf("%d matches", want), func(context.Context) (bool, string) {
		n, msgs := sum()
		for _, l := range lines {
			if !strings.Contains(msgs, l) {
				return false, fmt.Sprintf("%d matches, %q not quoted yet:\n%s", n, l, msgs)
			}
		}
		return n >= want, fmt.Sprintf("%d matches:\n%s", n, msgs)
	})
	time.Sleep(2500 * time.Millisecond) // two more runs must not count a line again
	if n, msgs := sum(); n != want {
		t.Errorf("%d matches, want exactly %d:\n%s", n, want, msgs)
	}
}
