package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// TestMaintenanceOpensNoIncident: during a window failures keep the
// monitor in problem but open no incident; after it, the next failure
// does.
func TestMaintenanceOpensNoIncident(t *testing.T) {
	h := newHarness(mon("m"))
	inWindow := true
	h.e.SetMaintenance(func(m store.Monitor, at time.Time) (string, bool) {
		return "kernel update", inWindow && m.ID == "m"
	})
	h.apply([]r{{"m", "server", bad}, {"m", "server", bad}, {"m", "server", bad}})
	if got := h.st.open("m"); len(got) != 0 {
		t.Fatalf("open incidents during maintenance: %+v", got)
	}
	s, _ := h.e.State("m")
	if s.Status != bad || !strings.Contains(s.Message, "in maintenance: kernel update") {
		t.Errorf("state during maintenance = %s %q, want problem, in maintenance", s.Status, s.Message)
	}
	inWindow = false
	h.apply(one("m", bad))
	if got := h.st.open("m"); len(got) != 1 {
		t.Fatalf("open incidents after the window = %d, want 1", len(got))
	}
}
