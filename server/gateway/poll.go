package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// handlePoll serves wire.PathAssignments, the long-poll that is also the
// heartbeat: it records the agent as seen, then answers its assignments
// at once if their version differs from the agent's, or else holds the
// request until they change, PollWait passes or the gateway stops.
func (g *Gateway) handlePoll(w http.ResponseWriter, r *http.Request, a store.Agent) error {
	var p wire.Poll
	if err := decode(r, wire.MaxPollBody, &p); err != nil {
		return err
	}
	if err := g.heartbeat(r, a, &p); err != nil {
		return err
	}
	deadline := time.NewTimer(g.cfg.PollWait)
	defer deadline.Stop()
	for {
		changed := g.changes.wait() // before reading, so no change is missed
		if as := g.assignments(a.ID); as.version != p.AssignmentsVersion {
			g.writeMessage(w, http.StatusOK, &wire.Assignments{
				Version: as.version, Monitors: nonNil(as.list), FIM: as.fim, Wait: wire.Duration(g.cfg.PollWait),
			})
			return nil
		}
		if g.onHold != nil {
			g.onHold(a.ID)
		}
		select {
		case <-changed:
		case <-deadline.C:
			w.WriteHeader(http.StatusNoContent)
			return nil
		case <-g.stopping:
			w.WriteHeader(http.StatusNoContent)
			return nil
		case <-r.Context().Done():
			return nil
		}
	}
}

// heartbeat records the poll: last seen and address in memory (written
// to the store with everyone's every HeartbeatFlush), the spool
// statistics in memory only, and the host facts and allowed commands in
// the store at once when they changed (which is rare: an upgrade, a new
// file in allow.d).
func (g *Gateway) heartbeat(r *http.Request, a store.Agent, p *wire.Poll) error {
	g.touch(a.ID, g.cfg.Now(), peer(r))
	g.noteSpool(a.ID, p.Spool)
	if sameFacts(a, p) {
		return nil
	}
	// a was read before the body, which a slow agent may take a while to
	// send: read it again so a rename made meanwhile is not undone.
	id := a.ID
	a, err := g.cfg.Store.Agent(id)
	if err != nil {
		return fmt.Errorf("poll: read agent %s: %w", id, err)
	}
	if sameFacts(a, p) {
		return nil
	}
	a.Hostname, a.OS, a.Arch, a.Version = p.Hostname, p.OS, p.Arch, p.Version
	a.Commands = slices.Clone(p.Commands)
	if len(a.Commands) == 0 {
		a.Commands = nil
	}
	if err := g.cfg.Store.UpdateAgent(&a, agentActor(a, peer(r))); err != nil {
		return fmt.Errorf("poll: update facts of agent %s: %w", a.ID, err)
	}
	return nil
}

// sameFacts reports whether the stored agent already has what the poll
// says about the host; no commands and an empty list are the same.
func sameFacts(a store.Agent, p *wire.Poll) bool {
	return a.Hostname == p.Hostname && a.OS == p.OS && a.Arch == p.Arch && a.Version == p.Version &&
		slices.Equal(a.Commands, p.Commands)
}

// nonNil returns list, or an empty list for nil, so the JSON carries [].
func nonNil(list []wire.Assignment) []wire.Assignment {
	if list == nil {
		return []wire.Assignment{}
	}
	return list
}
