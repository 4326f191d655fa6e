package engine

import (
	"cmp"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// parentFailing reports whether a parent of m has failed at some location
// but not yet Confirm times: its own verdict is still to come. A child
// that confirms its failure first (a shorter interval, a lower confirm)
// waits for it rather than open an incident that is only a consequence;
// when the parent confirms, the child is unreachable, and when the parent
// recovers, the child's next result opens its incident. A parent whose
// last failure is older than its own confirmation would take (its agent
// gone, say) holds nothing back.
func (e *Engine) parentFailing(m store.Monitor, at time.Time) (string, bool) {
	for _, id := range m.DependsOn {
		p, ok := e.monitors[id]
		if !ok || p.Paused {
			continue
		}
		ps, ok := e.states[id]
		if !ok {
			continue
		}
		verdictBy := time.Duration(confirm(p)+1) * max(p.Interval, time.Second)
		for _, l := range ps.Locations {
			// Fails at or past confirm is a verdict already given: a parent
			// failing at fewer than min_failed_locations stays in warning,
			// and must not hold its dependants back for good.
			if l.Fails > 0 && l.Fails < confirm(p) && l.Last.Status == checks.StatusProblem && at.Sub(l.Last.At) <= verdictBy {
				return cmp.Or(p.Name, p.ID), true
			}
		}
	}
	return "", false
}

func waitingForParent(parent string) string {
	return "waiting: parent " + parent + " is failing, not yet confirmed"
}

// latestAt is the time of s's newest result: the moment its state was
// last judged, against which a parent's failure is recent or stale.
func latestAt(s *store.MonitorState) time.Time {
	var at time.Time
	for _, l := range s.Locations {
		if l.Last.At.After(at) {
			at = l.Last.At
		}
	}
	return at
}
