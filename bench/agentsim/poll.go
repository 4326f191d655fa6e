package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// pollMargin is added to the server's hold for a poll's timeout, as the
// real agent does.
const pollMargin = 15 * time.Second

// pollLoop long-polls for assignments until ctx ends, like the real
// agent's: each poll is also the heartbeat.
func (a *simAgent) pollLoop(ctx context.Context) {
	wait := wire.MaxWait // until the server says how long it holds a poll
	backoff := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		as, status, err := a.poll(ctx, wait+pollMargin)
		took := time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.st.fail("poll", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		if status == http.StatusOK {
			wait = as.Wait.D()
			a.apply(as)
			a.st.polled(took, wait, false)
		} else {
			a.st.polled(took, wait, true)
		}
	}
}

// poll sends one Poll with what the agent runs now.
func (a *simAgent) poll(ctx context.Context, timeout time.Duration) (*wire.Assignments, int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a.mu.Lock()
	p := &wire.Poll{
		Version: simVersion, Hostname: a.name, OS: "linux", Arch: "amd64",
		AssignmentsVersion: a.version, Time: time.Now(),
		Spool: wire.SpoolStats{Records: uint64(len(a.pending))},
	}
	a.mu.Unlock()
	var as wire.Assignments
	status, err := post(ctx, a.http, a.gateway+wire.PathAssignments, p, wire.MaxAssignmentsBody, &as)
	return &as, status, err
}

// apply makes the simulated checks match the assignments: new monitors
// start at a jittered phase, gone ones stop, kept ones keep their phase.
// Assignments that differ from what was created for this agent count as
// an error.
func (a *simAgent) apply(as *wire.Assignments) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	keep := make(map[string]bool, len(as.Monitors))
	for _, m := range as.Monitors {
		keep[m.ID] = true
		if _, ok := a.jobs[m.ID]; !ok {
			a.jobs[m.ID] = newSimCheck(m.ID, m.Type, m.Interval.D(), now, a.rng)
		}
	}
	for id := range a.jobs {
		if !keep[id] {
			delete(a.jobs, id)
		}
	}
	a.version = as.Version
	select {
	case a.changed <- struct{}{}:
	default:
	}
	if len(a.expected) == 0 || len(keep) != len(a.expected) {
		return // the API has not created them all yet
	}
	for id, typ := range a.expected {
		if j := a.jobs[id]; j == nil || j.typ != typ {
			a.st.fail("assignments", fmt.Errorf("agent %s: monitor %s (%s) is not assigned as created", a.id, id, typ))
			return
		}
	}
	a.readyOnce.Do(func() { close(a.ready) })
}
