package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/testenv"
)

// fimPolicyAnswer is what GET /api/v1/fim/policies/{id} says of a policy.
type fimPolicyAnswer struct {
	ID     string           `json:"id"`
	Agents []fimAgentAnswer `json:"agents"`
}

type fimAgentAnswer struct {
	AgentID    string `json:"agent_id"`
	Objects    uint64 `json:"objects"`
	LastScanAt string `json:"last_scan_at"` // RFC 3339; empty or null before the first scan
	Scanning   bool   `json:"scanning"`
}

// lastScan parses LastScanAt; zero when there was none.
func (a fimAgentAnswer) lastScan() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, a.LastScanAt)
	return t
}

type fimChangeAnswer struct {
	ID         string      `json:"id"`
	PolicyID   string      `json:"policy_id"`
	AgentID    string      `json:"agent_id"`
	Path       string      `json:"path"`
	Change     string      `json:"change"`
	Attrs      []string    `json:"attrs"`
	Before     *fim.Object `json:"before"`
	After      *fim.Object `json:"after"`
	DetectedAt string      `json:"detected_at"`
	AcceptedAt string      `json:"accepted_at"`
}

// TestE2EFileIntegrity runs the "done when" with a real server
// and agent: a policy for a folder, its baseline, exact changes with their
// before and after, acceptance with a note in the audit log, a clean next
// scan, a change made while both were down reported after their restart
// (nothing absorbed), and the baseline dropped when the policy goes.
func TestE2EFileIntegrity(t *testing.T) {
	s, c := startAdminServer(t, "")
	tok := newJoinToken(t, c, 1)
	state, dir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dir, "keep.txt"), "unchanged\n")
	writeFile(t, filepath.Join(dir, "edit.txt"), "version 1\n")
	writeFile(t, filepath.Join(dir, "chmod.txt"), "mode\n")
	writeFile(t, filepath.Join(dir, "gone.txt"), "to be removed\n")
	// A name that is not UTF-8 is watched like any other, shown with \xNN.
	writeFile(t, filepath.Join(dir, "odd\xffname"), "odd 1\n")
	for _, p := range []string{"edit.txt", "chmod.txt", "gone.txt", "keep.txt", "odd\xffname"} {
		chmod(t, filepath.Join(dir, p), 0o644)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub", "deep.txt"), "deep\n")
	link := filepath.Join(dir, "current")
	if err := os.Symlink("sub/v1", link); err != nil {
		t.Fatal(err)
	}
	agentArgs := []string{"--server", "https://" + s.AgentAddr, "--state", state, "--name", "fim-1"}
	agent := startAgent(t, append(agentArgs, "--token", tok.Token)...)
	me := waitOnline(t, c, agent, "fim-1")

	var pol fimPolicyAnswer
	c.Do(t, http.MethodPost, "/api/v1/fim/policies", map[string]any{
		"name": "e2e folder", "agents": []string{"fim-1"}, "paths": []string{dir}, "interval": "1h",
	}, http.StatusCreated, &pol)
	if pol.ID == "" {
		t.Fatal("created policy has no id")
	}

	// The baseline: every object, no change.
	const objects = 9 // dir, keep, edit, chmod, gone, odd, sub, sub/deep, current
	base := waitFIMScan(t, c, pol.ID, me.ID, time.Time{}, 60*time.Second)
	if base.Objects != objects {
		t.Fatalf("baseline holds %d objects, want %d", base.Objects, objects)
	}
	if open := fimChanges(t, c, pol.ID); len(open) != 0 {
		t.Fatalf("the baseline reported changes: %+v", open)
	}

	v1 := sha256Hex("version 1\n")
	writeFile(t, filepath.Join(dir, "edit.txt"), "version 2, longer\n")
	chmod(t, filepath.Join(dir, "chmod.txt"), 0o600)
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "new.txt"), "added\n")
	writeFile(t, filepath.Join(dir, "odd\xffname"), "odd 2\n")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/v2", link); err != nil {
		t.Fatal(err)
	}
	scanNow(t, c, pol.ID)
	waitFIMScan(t, c, pol.ID, me.ID, base.lastScan(), 60*time.Second)
	open := fimChanges(t, c, pol.ID)

	t.Run("exactly the changes made, with before and after", func(t *testing.T) {
		got := map[string]fimChangeAnswer{}
		var names []string
		for _, ch := range open {
			rel := strings.TrimPrefix(strings.TrimPrefix(ch.Path, dir), "/")
			got[rel] = ch
			names = append(names, ch.Change+" "+rel)
			if ch.PolicyID != pol.ID || ch.AgentID != me.ID || ch.AcceptedAt != "" && !strings.HasPrefix(ch.AcceptedAt, "0001-") {
				t.Errorf("change %s: policy %q agent %q accepted %q", rel, ch.PolicyID, ch.AgentID, ch.AcceptedAt)
			}
		}
		slices.Sort(names)
		// Not the folder itself: a directory's mtime moves with every entry
		// added or removed, which are reported themselves (compliance/fim).
		want := []string{"added new.txt", "modified chmod.txt", "modified current", "modified edit.txt", `modified odd\xffname`, "removed gone.txt"}
		if !slices.Equal(names, want) {
			t.Fatalf("open changes %q, want %q", names, want)
		}
		edit := got["edit.txt"]
		if edit.Before == nil || edit.After == nil || edit.Before.SHA256 != v1 || edit.After.SHA256 != sha256Hex("version 2, longer\n") ||
			edit.Before.Size != 10 || edit.After.Size != 18 || !slices.Contains(edit.Attrs, "sha256") || !slices.Contains(edit.Attrs, "size") {
			t.Errorf("edit.txt: attrs %v before %+v after %+v", edit.Attrs, edit.Before, edit.After)
		}
		mode := got["chmod.txt"]
		if !slices.Equal(mode.Attrs, []string{"mode"}) || mode.Before == nil || mode.After == nil || mode.Before.Mode != 0o644 || mode.After.Mode != 0o600 {
			t.Errorf("chmod.txt: attrs %v before %+v after %+v, want only the mode from 0644 to 0600", mode.Attrs, mode.Before, mode.After)
		}
		cur := got["current"]
		if !slices.Contains(cur.Attrs, "target") || cur.Before == nil || cur.After == nil || cur.Before.Type != "symlink" ||
			cur.Before.Target != "sub/v1" || cur.After.Target != "sub/v2" {
			t.Errorf("current: attrs %v before %+v after %+v, want the target from sub/v1 to sub/v2", cur.Attrs, cur.Before, cur.After)
		}
		if g := got["gone.txt"]; g.Before == nil || g.After != nil || g.Before.SHA256 != sha256Hex("to be removed\n") {
			t.Errorf("gone.txt: before %+v after %+v", g.Before, g.After)
		}
		if n := got["new.txt"]; n.Before != nil || n.After == nil || n.After.Type != "file" || n.After.SHA256 != sha256Hex("added\n") {
			t.Errorf("new.txt: before %+v after %+v", n.Before, n.After)
		}
	})

	const note = "e2e: the planned edit of the test folder"
	t.Run("accepted with a note, the next scan is clean", func(t *testing.T) {
		ids := make([]string, 0, len(open))
		for _, ch := range open {
			ids = append(ids, ch.ID)
		}
		accept(t, c, map[string]any{"ids": ids, "note": note})
		if left := fimChanges(t, c, pol.ID); len(left) != 0 {
			t.Fatalf("%d changes still open after accepting them all: %+v", len(left), left)
		}
		prev := fimAgent(t, c, pol.ID, me.ID)
		scanNow(t, c, pol.ID)
		waitFIMScan(t, c, pol.ID, me.ID, prev.lastScan(), 60*time.Second)
		if left := fimChanges(t, c, pol.ID); len(left) != 0 {
			t.Fatalf("the scan after accepting found changes: %+v", left)
		}
		var audit []map[string]any
		c.Do(t, http.MethodGet, "/api/v1/audit?limit=50", nil, http.StatusOK, &audit)
		found := false
		for _, e := range audit {
			b, _ := json.Marshal(e)
			// Who, what (the changed paths) and the note.
			if strings.Contains(fmt.Sprint(e["action"]), "accept") && e["actor"] == adminUser &&
				strings.Contains(string(b), note) && strings.Contains(string(b), filepath.Join(dir, "edit.txt")) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no audit entry by %s of the acceptance with its note and paths among %d entries: %+v", adminUser, len(audit), audit)
		}
	})

	t.Run("a change made while agent and server were down is reported", func(t *testing.T) {
		prev := fimAgent(t, c, pol.ID, me.ID)
		writeFile(t, filepath.Join(dir, "edit.txt"), "version 3\n")
		if err := agent.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-agent.done:
		case <-time.After(15 * time.Second):
			t.Fatal("the agent did not stop within 15 s of SIGTERM")
		}
		if code, _ := s.Stop(); code != 0 {
			t.Fatalf("server exit %d", code)
		}
		s2 := testenv.StartServer(t, testenv.Options{DataDir: s.DataDir, Addr: s.Addr, AgentAddr: s.AgentAddr})
		c2 := testenv.NewClient(s2.URL, c.Token)
		agent2 := startAgent(t, agentArgs...)
		waitOnline(t, c2, agent2, "fim-1")
		if after := fimAgent(t, c2, pol.ID, me.ID); after.Objects != objects || !after.lastScan().Equal(prev.lastScan()) {
			t.Errorf("after the restart the server says %d objects, last scan %s; want %d and %s", after.Objects, after.LastScanAt, objects, prev.LastScanAt)
		}
		scanNow(t, c2, pol.ID)
		waitFIMScan(t, c2, pol.ID, me.ID, prev.lastScan(), 60*time.Second)
		left := fimChanges(t, c2, pol.ID)
		if len(left) != 1 || left[0].Path != filepath.Join(dir, "edit.txt") || left[0].Change != "modified" ||
			left[0].Before == nil || left[0].After == nil || left[0].Before.SHA256 != sha256Hex("version 2, longer\n") || left[0].After.SHA256 != sha256Hex("version 3\n") {
			t.Fatalf("changes after the restart %+v, want edit.txt modified from version 2 to version 3", left)
		}

		// Taken off the agent and given back: the agent drops its baseline,
		// and its new one is compared with the server's copy, so a change
		// made meanwhile is reported (its reports must not be taken for
		// resends of the ones before).
		accept(t, c2, map[string]any{"ids": []string{left[0].ID}, "note": "e2e: version 3"})
		const forgot = "no longer assigned: its local baseline is dropped"
		prev = fimAgent(t, c2, pol.ID, me.ID) // unassigned, the agent has no row
		var upd fimPolicyAnswer
		c2.Do(t, http.MethodPut, "/api/v1/fim/policies/"+pol.ID, map[string]any{"agents": []string{"label:vigil-e2e=nobody"}}, http.StatusOK, &upd)
		testenv.WaitUntil(t, 20*time.Second, "the agent to forget the policy", func(context.Context) (bool, string) {
			return strings.Count(agent2.out.String(), forgot) == 1, agent2.out.String()
		})
		writeFile(t, filepath.Join(dir, "edit.txt"), "version 4\n")
		c2.Do(t, http.MethodPut, "/api/v1/fim/policies/"+pol.ID, map[string]any{"agents": []string{"fim-1"}}, http.StatusOK, &upd)
		waitFIMScan(t, c2, pol.ID, me.ID, prev.lastScan(), 60*time.Second)
		left = fimChanges(t, c2, pol.ID)
		if len(left) != 1 || left[0].Path != filepath.Join(dir, "edit.txt") || left[0].Change != "modified" ||
			left[0].After == nil || left[0].After.SHA256 != sha256Hex("version 4\n") {
			t.Fatalf("changes after the policy came back %+v, want edit.txt modified to version 4", left)
		}

		// A deleted policy is no longer assigned: the agent drops its baseline.
		status, body, err := c2.Request(context.Background(), http.MethodDelete, "/api/v1/fim/policies/"+pol.ID, nil)
		if err != nil || status/100 != 2 {
			t.Fatalf("DELETE policy: status %d, err %v: %s", status, err, body)
		}
		testenv.WaitUntil(t, 20*time.Second, "the agent to forget the policy", func(context.Context) (bool, string) {
			return strings.Count(agent2.out.String(), forgot) == 2, agent2.out.String()
		})
	})
}

// waitFIMScan waits until the agent's last scan of the policy finished
// after since and no scan runs, and returns the agent's state.
func waitFIMScan(t *testing.T, c *testenv.Client, policy, agentID string, since time.Time, timeout time.Duration) fimAgentAnswer {
	t.Helper()
	var got fimAgentAnswer
	testenv.WaitUntil(t, timeout, "a finished scan of policy "+policy, func(context.Context) (bool, string) {
		got = fimAgent(t, c, policy, agentID)
		return got.lastScan().After(since) && !got.Scanning, fmt.Sprintf("%+v", got)
	})
	return got
}

// fimAgent returns the agent's state in the policy.
func fimAgent(t *testing.T, c *testenv.Client, policy, agentID string) fimAgentAnswer {
	t.Helper()
	var p fimPolicyAnswer
	c.Do(t, http.MethodGet, "/api/v1/fim/policies/"+policy, nil, http.StatusOK, &p)
	for _, a := range p.Agents {
		if a.AgentID == agentID {
			return a
		}
	}
	return fimAgentAnswer{AgentID: agentID}
}

// fimChanges returns the policy's open changes.
func fimChanges(t *testing.T, c *testenv.Client, policy string) []fimChangeAnswer {
	t.Helper()
	var out []fimChangeAnswer
	c.Do(t, http.MethodGet, "/api/v1/fim/changes?policy="+policy+"&open=true", nil, http.StatusOK, &out)
	return out
}

func scanNow(t *testing.T, c *testenv.Client, policy string) {
	t.Helper()
	c.Do(t, http.MethodPost, "/api/v1/fim/policies/"+policy+"/scan", nil, http.StatusAccepted, nil)
}

// accept posts an acceptance and wants a 2xx answer.
func accept(t *testing.T, c *testenv.Client, body any) {
	t.Helper()
	status, data, err := c.Request(context.Background(), http.MethodPost, "/api/v1/fim/changes/accept", body)
	if err != nil || status/100 != 2 {
		t.Fatalf("accept: status %d, err %v: %s", status, err, data)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
