package agent

import (
	"bytes"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// applied is an assignment the scheduler runs, kept to tell a changed one.
type applied struct {
	a wire.Assignment
}

// same reports whether x asks for exactly what the applied one does.
func (p applied) same(x wire.Assignment) bool {
	a := p.a
	return a.Type == x.Type && a.Target == x.Target && a.Interval == x.Interval &&
		a.Timeout == x.Timeout && bytes.Equal(a.Settings, x.Settings)
}

// apply makes the scheduler run exactly the assignments in as: new and
// changed ones are (re)built with the checks registry, unchanged ones keep
// running (and their checker's state), missing ones stop. An assignment
// the registry refuses is skipped and logged; if it was running before,
// it stops. The file-integrity policies go to a.fim, which acts on them
// in its own time.
func (a *agent) apply(as *wire.Assignments) {
	a.mu.Lock()
	defer a.mu.Unlock()
	keep := make(map[string]bool, len(as.Monitors))
	for _, m := range as.Monitors {
		if p, ok := a.applied[m.ID]; ok && p.same(m) {
			keep[m.ID] = true
			continue
		}
		chk, err := checks.NewWithEnv(m.Type, m.Target, m.Settings, a.checkEnv)
		if err != nil {
			a.log.Warn("assignment refused: not run", "monitor", m.ID, "type", m.Type, "err", err)
			continue
		}
		// Host checks are cheap and local: run together once per interval,
		// so the agent wakes once and their results go out in one batch.
		// Probes of other hosts keep their own random phase.
		t, _ := checks.Lookup(m.Type)
		a.sched.Upsert(scheduler.Job{
			ID: m.ID, Target: m.Target, Interval: m.Interval.D(), Timeout: m.Timeout.D(), Checker: chk,
			Aligned: t.Scope == checks.ScopeHost,
		})
		a.applied[m.ID] = applied{a: m}
		keep[m.ID] = true
	}
	for id := range a.applied {
		if !keep[id] {
			a.sched.Remove(id)
			delete(a.applied, id)
		}
	}
	a.fim.assign(as.FIM)
	a.version = as.Version
	a.log.Info("assignments applied", "version", as.Version, "monitors", len(as.Monitors), "running", len(a.applied), "fim_policies", len(as.FIM))
}
