package engine

import (
	"testing"

	"github.com/vigil-monitor/vigil/checks"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

func TestIncidentRecord(t *testing.T) {
	h := newHarness(mon("m", func(m *store.Monitor) { m.Locations = []string{"a", "b"}; m.MinFailedLocations = 2 }))
	h.apply([]r{{"m", "a", bad}, {"m", "b", bad}, {"m", "a", bad}, {"m", "b", bad}})
	opened := h.now
	incs := h.st.open("m")
	if len(incs) != 1 {
		t.Fatalf("open incidents = %d, want 1", len(incs))
	}
	inc := incs[0]
	if want := "msg problem from a and b"; inc.Message != want {
		t.Errorf("message = %q, want %q", inc.Message, want)
	}
	if !inc.StartedAt.Equal(opened) {
		t.Errorf("started at %v, want %v (the confirming result)", inc.StartedAt, opened)
	}
	h.apply([]r{{"m", "a", ok}})
	got, err := h.st.Incident(inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.IncidentResolved || got.EndedAt == nil || !got.EndedAt.Equal(h.now) {
		t.Errorf("after recovery: %+v, want resolved at %v", got, h.now)
	}
}

func TestRestartKeepsIncident(t *testing.T) {
	monitors := []store.Monitor{mon("m")}
	h := newHarness(monitors...)
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	first := h.st.open("m")
	if len(first) != 1 {
		t.Fatalf("open incidents = %d, want 1", len(first))
	}

	// A new engine over the same store, as after a restart.
	h.e = New(h.st, nil)
	h.e.Load(monitors, h.st.savedStates())
	if s, _ := h.e.State("m"); s.Status != bad || s.IncidentID != first[0].ID {
		t.Fatalf("reloaded state = %+v, want problem with incident %s", s, first[0].ID)
	}
	if ev := h.apply(one("m", bad)); len(ev) != 0 {
		t.Errorf("a further failure after restart produced %v, want nothing", ev)
	}
	if got := h.st.open("m"); len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("open incidents after restart = %+v, want only %s", got, first[0].ID)
	}
	h.apply(one("m", ok))
	if got, _ := h.st.Incident(first[0].ID); got.Status != store.IncidentResolved {
		t.Errorf("incident after recovery = %q, want resolved", got.Status)
	}
}

func TestResolveKeepsAcknowledgement(t *testing.T) {
	h := newHarness(mon("m"))
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	inc := h.st.open("m")[0]
	now := time.Now()
	inc.AcknowledgedBy, inc.AcknowledgedAt, inc.AckNote = "ann", &now, "on it"
	if err := h.st.UpdateIncident(&inc); err != nil {
		t.Fatal(err)
	}
	h.apply(one("m", ok))
	got, _ := h.st.Incident(inc.ID)
	if got.Status != store.IncidentResolved || got.AcknowledgedBy != "ann" || got.AckNote != "on it" {
		t.Errorf("resolved incident = %+v, want the acknowledgement kept", got)
	}
}

func TestStoreFailureRetriesOpening(t *testing.T) {
	h := newHarness(mon("m"))
	h.st.failCreate = 1
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	if n := len(h.st.open("m")); n != 0 {
		t.Fatalf("open incidents with a failing store = %d, want 0", n)
	}
	if s, _ := h.e.State("m"); s.Status != bad {
		t.Fatalf("status = %s, want problem even when the incident could not be stored", s.Status)
	}
	ev := h.apply(one("m", bad))
	if n := len(h.st.open("m")); n != 1 || len(ev) != 1 || ev[0].Kind != IncidentOpened {
		t.Errorf("next failure: %d open, events %v; want the incident opened now", n, ev)
	}
}

func TestReplayedResultsAreIgnored(t *testing.T) {
	h := newHarness(mon("m"))
	at := t0.Add(time.Minute)
	bad1 := store.MonitorResult{MonitorID: "m", Result: resultAt(at, bad)}
	h.e.Apply([]store.MonitorResult{{MonitorID: "m", Result: resultAt(t0, ok)}, bad1})
	// The same failure delivered again (an agent replaying its spool) is
	// not a second failure.
	h.e.Apply([]store.MonitorResult{bad1})
	if s, _ := h.e.State("m"); s.Status != ok || s.Locations["server"].Fails != 1 {
		t.Errorf("state = %+v, want ok with 1 failure counted", s)
	}
}

func TestRemoveMonitorResolves(t *testing.T) {
	h := newHarness(mon("m"))
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	inc := h.st.open("m")[0]
	ev := h.e.RemoveMonitor("m")
	if len(ev) != 1 || ev[0].Kind != IncidentResolved {
		t.Errorf("events = %v, want one incident_resolved", ev)
	}
	if got, _ := h.st.Incident(inc.ID); got.Status != store.IncidentResolved {
		t.Errorf("incident = %q, want resolved", got.Status)
	}
	if _, ok := h.e.State("m"); ok {
		t.Error("state kept after RemoveMonitor")
	}
}

func TestSubscribe(t *testing.T) {
	h := newHarness(mon("m"))
	var got []Kind
	unsubscribe := h.e.Subscribe(func(ev Event) { got = append(got, ev.Kind) })
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	unsubscribe()
	h.apply(one("m", ok))
	if len(got) != 2 || got[0] != StatusChanged || got[1] != IncidentOpened {
		t.Errorf("subscriber saw %v, want [status_changed incident_opened] and nothing after unsubscribing", got)
	}
}

func resultAt(at time.Time, s checks.Status) checks.Result {
	return checks.Result{At: at, Location: "server", Status: s}
}

func TestPauseResolvesAndResumeStartsAfresh(t *testing.T) {
	h := newHarness(mon("m"))
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}})
	inc := h.st.open("m")[0]
	paused := mon("m", func(m *store.Monitor) { m.Paused = true })
	ev := h.e.UpsertMonitor(paused)
	if len(ev) != 1 || ev[0].Kind != IncidentResolved {
		t.Fatalf("events on pause = %v, want one incident_resolved", ev)
	}
	if got, _ := h.st.Incident(inc.ID); got.Status != store.IncidentResolved {
		t.Errorf("incident = %q after pause, want resolved", got.Status)
	}
	if s := h.st.savedStates()["m"]; s.IncidentID != "" || len(s.Locations) != 0 {
		t.Errorf("stored state after pause = %+v, want fresh", s)
	}
	h.e.UpsertMonitor(mon("m"))
	h.apply(one("m", bad))
	if n := len(h.st.open("m")); n != 0 {
		t.Errorf("one failure after resume opened %d incidents: the old failure count was kept", n)
	}
}
