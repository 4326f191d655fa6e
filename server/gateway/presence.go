package gateway

import (
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// offlineMargin is added to two PollWaits before an agent counts as
// offline: room for a slow network and the agent's reconnect.
const offlineMargin = 10 * time.Second

// OfflineAfter is how long after its last poll an agent counts as
// offline: two missed heartbeats and a margin.
func (g *Gateway) OfflineAfter() time.Duration { return 2*g.cfg.PollWait + offlineMargin }

// LastSeen returns when agentID last polled, as far as this process
// knows (Serve starts from the times in the store), and whether it was
// ever seen.
func (g *Gateway) LastSeen(agentID string) (time.Time, bool) {
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	st := g.agents[agentID]
	if st == nil || st.lastSeen.IsZero() {
		return time.Time{}, false
	}
	return st.lastSeen, true
}

// Presence is what the gateway holds in memory about an agent's polls:
// newer than the store, which gets last seen and address only every
// HeartbeatFlush and the spool never.
type Presence struct {
	// LastSeen is the latest poll, or the time loaded from the store when
	// Serve started; zero when never seen.
	LastSeen time.Time
	// Polled reports whether a poll arrived since this process started;
	// only then do Address and Spool say anything.
	Polled  bool
	Address string          // where the latest poll came from
	Spool   wire.SpoolStats // the agent's spool as the latest poll reported it
}

// Presence returns what this process knows of agentID's polls; the zero
// Presence for an agent it never heard of.
func (g *Gateway) Presence(agentID string) Presence {
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	st := g.agents[agentID]
	if st == nil {
		return Presence{}
	}
	return Presence{LastSeen: st.lastSeen, Polled: st.polled, Address: st.address, Spool: st.spool}
}

// Online reports whether agentID polled within OfflineAfter. Whether the
// agent is revoked is for the caller to check first.
func (g *Gateway) Online(agentID string) bool {
	t, ok := g.LastSeen(agentID)
	return ok && g.cfg.Now().Sub(t) <= g.OfflineAfter()
}

// seen records that agentID was seen at t, as the store already knows
// (a join, or the time loaded from the store).
func (g *Gateway) seen(agentID string, t time.Time) {
	st := g.state(agentID)
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	if t.After(st.lastSeen) {
		st.lastSeen = t
	}
}

// touch records a heartbeat of agentID at t from address, for the next
// flushHeartbeats to write.
func (g *Gateway) touch(agentID string, t time.Time, address string) {
	st := g.state(agentID)
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	if t.After(st.lastSeen) {
		st.lastSeen = t
	}
	st.address, st.dirty, st.polled = address, true, true
}

// noteSpool keeps the spool statistics of agentID's latest poll. They
// live only in memory: they change with nearly every poll, and writing
// them would cost a transaction per poll for a figure that is stale a
// poll later anyway.
func (g *Gateway) noteSpool(agentID string, s wire.SpoolStats) {
	st := g.state(agentID)
	g.agentsMu.Lock()
	defer g.agentsMu.Unlock()
	st.spool = s
}

// flushHeartbeats writes the heartbeats received since the last flush to
// the store in one transaction. When that fails they stay pending for the
// next flush: last seen in the store is only ever a little old.
func (g *Gateway) flushHeartbeats() error {
	g.agentsMu.Lock()
	var touches []store.AgentTouch
	for id, st := range g.agents {
		if st.dirty {
			touches = append(touches, store.AgentTouch{ID: id, At: st.lastSeen, Address: st.address})
			st.dirty = false
		}
	}
	g.agentsMu.Unlock()
	err := g.cfg.Store.TouchAgents(touches)
	if err != nil {
		g.agentsMu.Lock()
		for _, t := range touches {
			g.agents[t.ID].dirty = true
		}
		g.agentsMu.Unlock()
	}
	return err
}

// flushLoop runs flushHeartbeats every HeartbeatFlush until stop closes.
func (g *Gateway) flushLoop(stop <-chan struct{}) {
	t := time.NewTicker(g.cfg.HeartbeatFlush)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := g.flushHeartbeats(); err != nil {
				g.log.Error("agent heartbeats not written; will retry", "err", err)
			}
		}
	}
}

// loadLastSeen starts presence from the heartbeats in the store, so a
// restarted server does not show every agent offline until it polls.
func (g *Gateway) loadLastSeen() error {
	agents, err := g.cfg.Store.Agents()
	if err != nil {
		return err
	}
	for _, a := range agents {
		if a.RevokedAt == nil && !a.LastSeen.IsZero() {
			g.seen(a.ID, a.LastSeen)
		}
	}
	return nil
}

// agentActor is the audit actor of changes an agent makes about itself.
func agentActor(a store.Agent, peer string) store.Actor {
	return store.Actor{Username: "agent:" + a.Name, IP: peer}
}
