package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
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
	var me agentAnswer
	testenv.WaitUntil(t, 15*time.Second, "the agent online", func(context.Context) (bool, string) {
		var list []agentAnswer
		c.Do(t, http.MethodGet, "/api/v1/agents", nil, http.StatusOK, &list)
		for _, a := range list {
			if a.Name == "web-1" && a.Status == "online" {
				me = a
				return true, ""
			}
		}
		return false, "agents: " + strings.TrimSpace(agent.out.String())
	})

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
