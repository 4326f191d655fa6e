package engine

import (
	"testing"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

func TestRules(t *testing.T) {
	locs3 := func(m *store.Monitor) { m.Locations = []string{"a", "b", "c"}; m.MinFailedLocations = 2 }
	child := func(m *store.Monitor) { m.DependsOn = []string{"p"} }
	tests := []struct {
		name     string
		monitors []store.Monitor
		steps    []step
	}{
		{name: "one lost packet opens nothing", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: one("m", ok), wantStatus: st("m", ok), wantEvents: "status_changed:m"},
			{batch: one("m", bad), wantStatus: st("m", ok), wantOpen: open("m", 0), wantEvents: "none"},
			{batch: one("m", ok), wantStatus: st("m", ok), wantOpen: open("m", 0), wantEvents: "none"},
		}},
		{name: "two in a row open an incident", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: one("m", ok), wantStatus: st("m", ok)},
			{batch: one("m", bad), wantStatus: st("m", ok), wantOpen: open("m", 0)},
			{batch: one("m", bad), wantStatus: st("m", bad), wantOpen: open("m", 1), wantEvents: "status_changed:m incident_opened:m"},
			{batch: one("m", bad), wantStatus: st("m", bad), wantOpen: open("m", 1), wantEvents: "none"},
		}},
		{name: "first results failing open after confirmation", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: one("m", bad), wantStatus: st("m", unk), wantOpen: open("m", 0), wantEvents: "none"},
			{batch: one("m", bad), wantStatus: st("m", bad), wantOpen: open("m", 1)},
		}},
		{name: "one ok recovers and resolves", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: []r{{"m", "server", bad}, {"m", "server", bad}}, wantStatus: st("m", bad), wantOpen: open("m", 1)},
			{batch: one("m", ok), wantStatus: st("m", ok), wantOpen: open("m", 0), wantEvents: "status_changed:m incident_resolved:m"},
			{batch: one("m", bad), wantStatus: st("m", ok), wantOpen: open("m", 0), wantEvents: "none"},
		}},
		{name: "confirm 1 opens at once", monitors: []store.Monitor{mon("m", func(m *store.Monitor) { m.Confirm = 1 })}, steps: []step{
			{batch: one("m", ok)},
			{batch: one("m", bad), wantStatus: st("m", bad), wantOpen: open("m", 1)},
		}},
		{name: "confirm 3 needs three", monitors: []store.Monitor{mon("m", func(m *store.Monitor) { m.Confirm = 3 })}, steps: []step{
			{batch: []r{{"m", "server", ok}, {"m", "server", bad}, {"m", "server", bad}}, wantStatus: st("m", ok), wantOpen: open("m", 0)},
			{batch: one("m", bad), wantStatus: st("m", bad), wantOpen: open("m", 1)},
		}},
		{name: "a warning shows at once and opens nothing", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: one("m", ok)},
			{batch: one("m", warn), wantStatus: st("m", warn), wantOpen: open("m", 0), wantEvents: "status_changed:m"},
			{batch: one("m", warn), wantStatus: st("m", warn), wantEvents: "none"},
			{batch: one("m", ok), wantStatus: st("m", ok), wantEvents: "status_changed:m"},
		}},
		{name: "a warning breaks the run of failures", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: []r{{"m", "server", ok}, {"m", "server", bad}, {"m", "server", warn}, {"m", "server", bad}}, wantStatus: st("m", warn), wantOpen: open("m", 0)},
		}},
		{name: "problem to warning resolves", monitors: []store.Monitor{mon("m")}, steps: []step{
			{batch: []r{{"m", "server", bad}, {"m", "server", bad}}, wantStatus: st("m", bad), wantOpen: open("m", 1)},
			{batch: one("m", warn), wantStatus: st("m", warn), wantOpen: open("m", 0), wantEvents: "status_changed:m incident_resolved:m"},
		}},
		{name: "2 of 3 locations", monitors: []store.Monitor{mon("m", locs3)}, steps: []step{
			{batch: []r{{"m", "a", ok}, {"m", "b", ok}, {"m", "c", ok}}, wantStatus: st("m", ok)},
			{batch: []r{{"m", "a", bad}, {"m", "a", bad}}, wantStatus: st("m", warn), wantOpen: open("m", 0)},
			{batch: []r{{"m", "b", bad}}, wantStatus: st("m", warn), wantOpen: open("m", 0)},
			{batch: []r{{"m", "b", bad}}, wantStatus: st("m", bad), wantOpen: open("m", 1),
				wantMsg: map[string]string{"m": "msg problem"}},
			{batch: []r{{"m", "a", ok}}, wantStatus: st("m", warn), wantOpen: open("m", 0), wantEvents: "status_changed:m incident_resolved:m"},
		}},
		{name: "parent down: child opens nothing", monitors: []store.Monitor{mon("p"), mon("c", child)}, steps: []step{
			{batch: []r{{"p", "server", ok}, {"c", "server", ok}}},
			{batch: []r{{"c", "server", bad}, {"p", "server", bad}, {"c", "server", bad}, {"p", "server", bad}},
				wantStatus: map[string]checks.Status{"p": bad, "c": bad}, wantOpen: map[string]int{"p": 1, "c": 0},
				wantEvents: "status_changed:p incident_opened:p status_changed:c",
				wantMsg:    map[string]string{"c": "unreachable: parent name-p is down"}},
			{batch: one("p", ok), wantStatus: map[string]checks.Status{"p": ok, "c": bad}, wantOpen: map[string]int{"p": 0, "c": 0}},
			// The parent is back and the child still fails: now it pages.
			{batch: one("c", bad), wantStatus: st("c", bad), wantOpen: open("c", 1), wantEvents: "incident_opened:c"},
		}},
		{name: "parent down: child recovers quietly", monitors: []store.Monitor{mon("p"), mon("c", child)}, steps: []step{
			{batch: []r{{"p", "server", bad}, {"p", "server", bad}, {"c", "server", bad}, {"c", "server", bad}}, wantOpen: map[string]int{"p": 1, "c": 0}},
			{batch: []r{{"p", "server", ok}, {"c", "server", ok}}, wantStatus: map[string]checks.Status{"p": ok, "c": ok}, wantOpen: map[string]int{"p": 0, "c": 0},
				wantEvents: "status_changed:p incident_resolved:p status_changed:c"},
		}},
		{name: "parent failing, not yet confirmed: child waits", monitors: []store.Monitor{
			mon("p", func(m *store.Monitor) { m.Confirm = 3 }), mon("c", child, func(m *store.Monitor) { m.Confirm = 1 }),
		}, steps: []step{
			{batch: []r{{"p", "server", ok}, {"c", "server", ok}}},
			{batch: []r{{"p", "server", bad}, {"c", "server", bad}}, wantStatus: map[string]checks.Status{"p": ok, "c": bad},
				wantOpen: map[string]int{"p": 0, "c": 0}, wantEvents: "status_changed:c",
				wantMsg: map[string]string{"c": "waiting: parent name-p is failing, not yet confirmed"}},
			{batch: []r{{"p", "server", bad}, {"p", "server", bad}, {"c", "server", bad}}, wantStatus: map[string]checks.Status{"p": bad, "c": bad},
				wantOpen: map[string]int{"p": 1, "c": 0}, wantMsg: map[string]string{"c": "unreachable: parent name-p is down"}},
		}},
		{name: "parent failed once and recovered: child opens", monitors: []store.Monitor{
			mon("p", func(m *store.Monitor) { m.Confirm = 3 }), mon("c", child, func(m *store.Monitor) { m.Confirm = 1 }),
		}, steps: []step{
			{batch: []r{{"p", "server", bad}, {"c", "server", bad}}, wantOpen: map[string]int{"p": 0, "c": 0}},
			{batch: one("p", ok), wantOpen: map[string]int{"p": 0, "c": 0}},
			{batch: one("c", bad), wantStatus: st("c", bad), wantOpen: open("c", 1), wantEvents: "incident_opened:c"},
		}},
		{name: "a parent whose failure is stale holds nothing back", monitors: []store.Monitor{
			mon("p", func(m *store.Monitor) { m.Confirm = 3 }), mon("c", child, func(m *store.Monitor) { m.Confirm = 1 }),
		}, steps: []step{
			{batch: one("p", bad), wantOpen: map[string]int{"p": 0}},
			// Five seconds later: past the parent's confirmation time ((3+1) × 1 s).
			{batch: []r{{"c", "server", ok}, {"c", "server", ok}, {"c", "server", ok}, {"c", "server", ok}, {"c", "server", bad}},
				wantStatus: st("c", bad), wantOpen: open("c", 1)},
		}},
		{name: "a parent failing for good at too few locations holds nothing back", monitors: []store.Monitor{
			mon("p", func(m *store.Monitor) { m.Locations, m.MinFailedLocations = []string{"a", "b"}, 2 }),
			mon("c", child, func(m *store.Monitor) { m.Confirm = 1 }),
		}, steps: []step{
			{batch: []r{{"p", "a", bad}, {"p", "a", bad}, {"p", "b", ok}}, wantStatus: map[string]checks.Status{"p": warn}},
			{batch: []r{{"p", "a", bad}, {"c", "server", bad}}, wantStatus: map[string]checks.Status{"p": warn, "c": bad}, wantOpen: map[string]int{"p": 0, "c": 1}},
		}},
		{name: "paused monitor is ignored", monitors: []store.Monitor{mon("m", func(m *store.Monitor) { m.Paused = true })}, steps: []step{
			{batch: []r{{"m", "server", bad}, {"m", "server", bad}}, wantStatus: st("m", unk), wantOpen: open("m", 0), wantEvents: "none"},
		}},
		{name: "unknown monitor is ignored", monitors: nil, steps: []step{
			{batch: []r{{"x", "server", bad}, {"x", "server", bad}}, wantOpen: open("x", 0), wantEvents: "none"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(tt.monitors...)
			for i, s := range tt.steps {
				h.check(t, i, s, h.apply(s.batch))
			}
		})
	}
}
