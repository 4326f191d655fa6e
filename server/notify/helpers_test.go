package notify

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// t0 is when the sample incident started.
var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func openedEvent() Event {
	return Event{
		Kind:       KindOpened,
		Monitor:    Monitor{ID: "mon_1", Name: "Homepage", Type: "http", Target: "https://x.example"},
		Incident:   &Incident{ID: "inc_1", StartedAt: t0, Status: "open", Message: "connection refused"},
		At:         t0.Add(30 * time.Second),
		MonitorURL: "https://vigil.example.com/monitors/mon_1",
		Location:   "server, web-eu-1",
	}
}

func resolvedEvent() Event {
	ev := openedEvent()
	end := t0.Add(4*time.Minute + 12*time.Second)
	ev.Kind, ev.At = KindResolved, end
	ev.Incident.EndedAt, ev.Incident.Status = &end, "resolved"
	return ev
}

func ackedEvent() Event {
	ev := openedEvent()
	at := t0.Add(2 * time.Minute)
	ev.Kind, ev.At = KindAcknowledged, at
	ev.Incident.AcknowledgedBy, ev.Incident.AcknowledgedAt, ev.Incident.AckNote = "alice", &at, "looking"
	return ev
}

func reminderEvent() Event {
	ev := openedEvent()
	ev.Kind, ev.At = KindReminder, t0.Add(time.Hour+5*time.Minute)
	return ev
}

func testEvent() Event {
	return Event{Kind: KindTest, Monitor: Monitor{Name: "Vigil test notification"}, At: t0, MonitorURL: "https://vigil.example.com"}
}

// mustNew builds a notifier of kind from settings or fails the test.
func mustNew(t testing.TB, kind, settings string, env Env) Notifier {
	t.Helper()
	n, err := New(kind, json.RawMessage(settings), env)
	if err != nil {
		t.Fatalf("New(%s, %s): %v", kind, settings, err)
	}
	return n
}

func sendCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func fixedNow() time.Time { return time.Unix(1767366245, 0) }
