package agent

import (
	"context"
	"time"
)

// trimAfter is how long after its first delivered batch the agent trims
// its resident code once (see trimCode): by then it has joined, renewed
// or loaded its certificate, applied its assignments and run each of its
// checks, so what it touches from then on is its working set.
const trimAfter = 30 * time.Second

// trimOnce waits for the first delivered batch, then trimAfter, then
// calls trimCode once. An agent that is stopped first does nothing.
func (a *agent) trimOnce(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-a.delivered:
	}
	t := time.NewTimer(trimAfter)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	n, err := trimCode()
	if err != nil {
		a.log.Debug("code pages not trimmed", "err", err)
		return
	}
	a.log.Debug("code pages trimmed", "bytes", n)
}
