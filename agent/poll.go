package agent

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"github.com/vigil-monitor/vigil/internal/version"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// pollMargin is added to the server's Wait for the long-poll's timeout.
const pollMargin = 15 * time.Second

// pollLoop long-polls for assignments until ctx is done; it returns an
// error only when the server refuses this agent for good.
func (a *agent) pollLoop(ctx context.Context) error {
	b := backoff{r: a.cfg.retry}
	wait := wire.MaxWait // until the server says how long it holds a poll
	for ctx.Err() == nil {
		as, status, err := a.poll(ctx, wait+pollMargin)
		if stop := stopError(err); stop != nil {
			return stop
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d := b.next()
			a.log.Warn("poll for assignments failed; retrying", "err", err, "retry_in", d.Round(time.Millisecond))
			sleep(ctx, d)
			continue
		}
		if b.failures > 0 {
			a.log.Info("server reachable again")
		}
		b.reset()
		if status == http.StatusOK {
			wait = as.Wait.D()
			a.apply(as)
		}
	}
	return nil
}

// poll sends one Poll; the Assignments are set when the status is 200.
func (a *agent) poll(ctx context.Context, timeout time.Duration) (*wire.Assignments, int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a.mu.Lock()
	ver := a.version
	a.mu.Unlock()
	req := &wire.Poll{
		Version: version.Version, Hostname: hostname(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		AssignmentsVersion: ver, Time: time.Now(), Spool: a.spoolStats(),
		Commands: a.allow.names(),
	}
	var as wire.Assignments
	status, err := a.api.post(ctx, wire.PathAssignments, req, wire.MaxAssignmentsBody, &as)
	return &as, status, err
}

// spoolStats is what the Poll reports about the spool.
func (a *agent) spoolStats() wire.SpoolStats {
	s := a.spool.Stats()
	return wire.SpoolStats{Records: s.Records, Bytes: s.Bytes, Dropped: s.Dropped + a.refused.Load()}
}
