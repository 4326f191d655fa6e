package alerting

import (
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// TestDecideAcknowledgedBy: a step or reminder that falls due after the
// acknowledgement is cancelled, and the log names who acknowledged as
// people know them: a contact without the "contact:" the server stores.
func TestDecideAcknowledgedBy(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, by, want string
	}{
		{"user", "alice", "acknowledged by alice"},
		{"contact by its link", "contact:Ops mail (email link)", "acknowledged by Ops mail (email link)"},
		{"user whose name holds the prefix later", "ops contact:x", "acknowledged by ops contact:x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := store.Incident{ID: "i1", Status: store.IncidentOpen, AcknowledgedAt: &now, AcknowledgedBy: tc.by}
			for _, e := range []store.OutboxEntry{{Event: EventOpened, Step: 2}, {Event: EventReminder}} {
				v := (&Dispatcher{}).decideOpen(e, &notify.Event{}, store.Contact{ID: "c1", Type: "email"}, inc, store.Monitor{}, false, now)
				if v.result != ResultCancelled || v.why != tc.want {
					t.Errorf("%s step %d: %s (%s), want cancelled (%s)", e.Event, e.Step, v.result, v.why, tc.want)
				}
			}
		})
	}
}
