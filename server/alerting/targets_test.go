package alerting

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// TestPlan: who hears of an incident. Routes add targets by monitor tag
// and by the labels of the agents among the monitor's locations; groups
// are expanded; each contact is told once at step 0; the monitor's own
// escalation policy wins over a route's.
func TestPlan(t *testing.T) {
	h := newHarness(t)
	ann, bob, cat, dan := h.contact("ann", "email"), h.contact("bob", "sms"), h.contact("cat", "webhook"), h.contact("dan", "voice")
	dbas := h.group("dbas", bob, cat)
	agent := store.Agent{Name: "db-eu-1", Labels: []string{"eu", "database"}}
	if err := h.db.CreateAgent(&agent, admin); err != nil {
		t.Fatal(err)
	}
	own := h.policy(store.EscalationStep{After: 10 * time.Minute, Targets: []string{dan}})
	routed := h.policy(store.EscalationStep{After: 5 * time.Minute, Targets: []string{ann}})
	for _, r := range []store.NotifyRoute{
		{Name: "db tag", Tags: []string{"db"}, Notify: []string{dbas}, Escalation: routed},
		{Name: "eu agents", AgentLabels: []string{"eu"}, Notify: []string{ann, cat}},
		{Name: "matches nothing", Notify: []string{dan}},
	} {
		if err := h.db.CreateRoute(&r, admin); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, h.names[id])
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		m         store.Monitor
		immediate []string
		steps     []string // "step after: names"
	}{
		{"own notify only", store.Monitor{Notify: []string{ann}}, []string{"ann"}, nil},
		{"tag route with its policy", store.Monitor{Notify: []string{ann}, Tags: []string{"db"}}, []string{"ann", "bob", "cat"}, []string{"1 5m0s: [ann]"}},
		{"own policy wins", store.Monitor{Tags: []string{"db"}, Escalation: own}, []string{"bob", "cat"}, []string{"1 10m0s: [dan]"}},
		{"agent label route", store.Monitor{Locations: []string{"server", agent.ID}}, []string{"ann", "cat"}, nil},
		{"both routes, each contact once", store.Monitor{Notify: []string{cat, dbas}, Tags: []string{"db"}, Locations: []string{agent.ID}},
			[]string{"cat", "bob", "ann"}, []string{"1 5m0s: [ann]"}},
		{"unknown target skipped", store.Monitor{Notify: []string{"999", ann}}, []string{"ann"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := h.d.plan(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			want(t, "immediate", names(p.immediate), tc.immediate)
			var steps []string
			for _, s := range p.steps {
				steps = append(steps, fmtStep(s.step, s.after, names(s.contacts)))
			}
			want(t, "steps", steps, tc.steps)
		})
	}
}

// TestPolicySteps: steps at 0 join the immediate targets; later ones are
// numbered in order of delay whatever order they were given in.
func TestPolicySteps(t *testing.T) {
	h := newHarness(t)
	a, b, c := h.contact("a", "email"), h.contact("b", "sms"), h.contact("c", "voice")
	pol := h.policy(
		store.EscalationStep{After: 20 * time.Minute, Targets: []string{c}},
		store.EscalationStep{After: 0, Targets: []string{a, b}},
		store.EscalationStep{After: 10 * time.Minute, Targets: []string{b}},
	)
	p, err := h.d.plan(store.Monitor{Notify: []string{a}, Escalation: pol})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.immediate) != 2 || len(p.steps) != 2 || p.steps[0].step != 1 || p.steps[0].after != 10*time.Minute ||
		p.steps[1].step != 2 || p.steps[1].after != 20*time.Minute {
		t.Errorf("plan = %+v", p)
	}
}

// TestGrace: a dependant waits for its slowest parent's confirmation plus
// a margin, never more than 5 minutes; paused and unknown parents do not
// count.
func TestGrace(t *testing.T) {
	h := newHarness(t)
	fast := h.addMonitor(store.Monitor{Interval: 10 * time.Second, Confirm: 3})
	slow := h.addMonitor(store.Monitor{Name: "slow", Interval: time.Minute}) // confirm 0: the engine's default, 2
	huge := h.addMonitor(store.Monitor{Interval: time.Hour, Confirm: 1})
	paused := h.addMonitor(store.Monitor{Interval: time.Hour, Paused: true})
	for _, tc := range []struct {
		parents []string
		want    time.Duration
	}{
		{nil, 0},
		{[]string{fast.ID}, 45 * time.Second},
		{[]string{fast.ID, slow.ID}, 2*time.Minute + 15*time.Second},
		{[]string{huge.ID}, 5 * time.Minute},
		{[]string{paused.ID, "404"}, 0},
	} {
		if got := h.d.grace(store.Monitor{DependsOn: tc.parents}); got != tc.want {
			t.Errorf("grace with parents %v = %s, want %s", tc.parents, got, tc.want)
		}
	}
	h.setStatus(slow.ID, checks.StatusProblem)
	h.setStatus(paused.ID, checks.StatusProblem)
	if name, down := h.d.parentDown(store.Monitor{DependsOn: []string{paused.ID, fast.ID, slow.ID}}); !down || name != slow.Name {
		t.Errorf("parentDown = %q %v, want the slow parent", name, down)
	}
}

func fmtStep(step int, after time.Duration, names []string) string {
	return fmt.Sprintf("%d %s: %v", step, after, names)
}
