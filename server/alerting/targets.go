package alerting

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/store"
)

// The dependency grace: a dependant's opening message waits this long
// beyond its parents' confirmation time, and never more than maxGrace.
const (
	graceMargin = 15 * time.Second
	maxGrace    = 5 * time.Minute
)

// plan is who hears of a monitor's incident, and when.
type plan struct {
	immediate []string // contact ids told at once (step 0)
	steps     []planStep
}

// planStep is an escalation step with a delay; step counts them from 1.
type planStep struct {
	step     int
	after    time.Duration
	contacts []string
}

// plan works out the targets of m's incidents: m's Notify and the Notify
// of every route matching it, groups expanded to their contacts, each
// contact once; the escalation policy is m's own, else the first matching
// route's. Policy steps at 0 join the immediate targets (once per
// contact); each later step pages its contacts again, since a person
// listed in a later step is meant to be paged again.
func (d *Dispatcher) plan(m store.Monitor) (plan, error) {
	routes, err := d.st.Routes()
	if err != nil {
		return plan{}, fmt.Errorf("read notification routes: %w", err)
	}
	labels := d.agentLabels(m)
	targets := slices.Clone(m.Notify)
	policyID := m.Escalation
	for _, r := range routes {
		if routeMatches(r, m, labels) {
			targets = append(targets, r.Notify...)
			policyID = cmp.Or(policyID, r.Escalation)
		}
	}
	var p plan
	seen := map[string]bool{}
	p.immediate = d.expand(targets, seen)
	if policyID == "" {
		return p, nil
	}
	pol, err := d.st.EscalationPolicy(policyID)
	if errors.Is(err, store.ErrNotFound) {
		d.log.Warn("escalation policy not found; only the immediate targets are told", "policy", policyID, "monitor", m.ID)
		return p, nil
	}
	if err != nil {
		return plan{}, fmt.Errorf("read escalation policy %s: %w", policyID, err)
	}
	steps := slices.Clone(pol.Steps)
	slices.SortStableFunc(steps, func(a, b store.EscalationStep) int { return cmp.Compare(a.After, b.After) })
	for _, s := range steps {
		if s.After <= 0 {
			p.immediate = append(p.immediate, d.expand(s.Targets, seen)...)
			continue
		}
		if cs := d.expand(s.Targets, map[string]bool{}); len(cs) > 0 {
			p.steps = append(p.steps, planStep{step: len(p.steps) + 1, after: s.After, contacts: cs})
		}
	}
	return p, nil
}

// routeMatches: a route takes in a monitor carrying one of its tags, or
// located on an agent carrying one of its labels. A route with neither
// matches nothing.
func routeMatches(r store.NotifyRoute, m store.Monitor, agentLabels []string) bool {
	in := func(list []string) func(string) bool {
		return func(s string) bool { return slices.Contains(list, s) }
	}
	return slices.ContainsFunc(m.Tags, in(r.Tags)) || slices.ContainsFunc(agentLabels, in(r.AgentLabels))
}

// agentLabels returns the labels of the agents among m's locations.
func (d *Dispatcher) agentLabels(m store.Monitor) []string {
	var labels []string
	for _, loc := range m.Locations {
		if loc == serverLocation {
			continue
		}
		if a, err := d.st.Agent(loc); err == nil {
			labels = append(labels, a.Labels...)
		}
	}
	return labels
}

// expand turns contact and group ids into contact ids not in seen (and
// adds them to it), in the order given. Unknown ids are logged and
// skipped: a deleted contact must not stop the others being told.
func (d *Dispatcher) expand(ids []string, seen map[string]bool) []string {
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range ids {
		if _, err := d.st.Contact(id); err == nil {
			add(id)
			continue
		}
		g, err := d.st.Group(id)
		if err != nil {
			d.log.Warn("notification target not found", "target", id, "err", err)
			continue
		}
		for _, member := range g.Members {
			if _, err := d.st.Contact(member); err == nil {
				add(member)
			}
		}
	}
	return out
}

// grace is how long m's opening messages wait for a parent to confirm a
// failure that began with m's: the slowest parent's interval × confirm
// plus a margin, at most maxGrace; 0 for a monitor without parents.
func (d *Dispatcher) grace(m store.Monitor) time.Duration {
	var g time.Duration
	for _, id := range m.DependsOn {
		p, ok := d.monitor(id)
		if !ok || p.Paused {
			continue
		}
		confirm := p.Confirm
		if confirm <= 0 {
			confirm = engine.DefaultConfirm
		}
		interval := cmp.Or(p.Interval, time.Minute)
		g = max(g, interval*time.Duration(confirm)+graceMargin)
	}
	return min(g, maxGrace)
}

// parentDown returns the name of a parent of m that is in problem now.
func (d *Dispatcher) parentDown(m store.Monitor) (string, bool) {
	for _, id := range m.DependsOn {
		p, ok := d.monitor(id)
		if !ok || p.Paused {
			continue
		}
		if s, ok := d.state(id); ok && s.Status == checks.StatusProblem {
			return cmp.Or(p.Name, p.ID), true
		}
	}
	return "", false
}
