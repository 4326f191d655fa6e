package alerting

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// TestReminder: while the incident stays open and unacknowledged, the
// immediate targets (not the escalation steps) are reminded every
// RemindEvery; the acknowledgement stops it.
func TestReminder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.contact("a", "webhook"), h.contact("b", "sms")
		pol := h.policy(store.EscalationStep{After: 10 * time.Minute, Targets: []string{b}})
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, Escalation: pol, RemindEvery: 30 * time.Minute})
		inc := h.open(m)
		time.Sleep(70 * time.Minute)
		h.ack(inc)
		time.Sleep(3 * time.Hour)
		want(t, "sent", h.snd.got(), []string{
			"a incident.opened @0s", "b incident.opened @10m0s",
			"a incident.reminder @30m0s", "a incident.reminder @1h0m0s",
			"a incident.acknowledged @1h10m0s", "b incident.acknowledged @1h10m0s",
		})
		want(t, "log", h.log(inc.ID), []string{
			"a incident.acknowledged 0 sent", "a incident.opened 0 sent",
			"a incident.reminder 1 sent", "a incident.reminder 2 sent",
			"a incident.reminder 3 cancelled (acknowledged by alice)",
			"b incident.acknowledged 0 sent", "b incident.opened 1 sent",
		})
	})
}

// TestDependencyGrace: a dependant's opening message waits for its
// parents' confirmation time. A parent that confirms within it holds the
// message while it stays down (here for the whole incident, so nothing is
// sent); a parent that stays fine lets the message go out when the grace
// ends.
func TestDependencyGrace(t *testing.T) {
	// The parent checks every 30 s and confirms after 2 failures: the
	// grace is 2 × 30 s + 15 s.
	const grace = 75 * time.Second
	for _, parentFails := range []bool{true, false} {
		name := map[bool]string{true: "parent confirms 30s later", false: "parent fine"}[parentFails]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				a := h.contact("a", "webhook")
				parent := h.addMonitor(store.Monitor{Name: "router", Type: "ping", Target: "10.0.0.1", Interval: 30 * time.Second, Confirm: 2})
				h.setStatus(parent.ID, checks.StatusOK)
				child := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, DependsOn: []string{parent.ID}})
				time.Sleep(time.Hour) // the parent has been fine for long
				h.snd.start = time.Now()
				inc := h.open(child)
				time.Sleep(30 * time.Second)
				if parentFails {
					h.setStatus(parent.ID, checks.StatusProblem)
				}
				time.Sleep(grace - 30*time.Second - time.Millisecond)
				synctest.Wait()
				want(t, "during the grace", h.snd.got(), nil)
				time.Sleep(time.Hour + time.Second)
				h.resolve(inc)
				time.Sleep(time.Minute)
				if !parentFails {
					want(t, "sent", h.snd.got(), []string{"a incident.opened @1m15s", "a incident.resolved @1h1m15.999s"})
					return
				}
				want(t, "sent", h.snd.got(), nil)
				held := 0
				for _, l := range h.log(inc.ID) {
					switch l {
					case "a incident.opened 0 held (parent router is down)":
						held++
					case "a incident.opened 0 cancelled (incident resolved)":
					default:
						t.Errorf("log has %q", l)
					}
				}
				// At 75 s, then 2.5, 5, 10, 15, … minutes: grace doubling up to 5 minutes.
				if held < 10 || held > 15 {
					t.Errorf("held %d times in an hour, want 10-15 (rechecks at growing intervals up to 5 minutes)", held)
				}
				if pending, _ := h.db.PendingNotifications(inc.ID); len(pending) != 0 {
					t.Errorf("still queued after the incident ended: %+v", pending)
				}
			})
		})
	}
}

// TestParentRecoversDuringGrace is the review's scenario: the child opens
// first, the parent confirms 30 s later and recovers after 5 minutes, the
// child stays down for 6 hours. The child's opening message goes out
// once the parent is fine again (after the child's own next check), and
// its end after 6 hours.
func TestParentRecoversDuringGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		parent := h.addMonitor(store.Monitor{Name: "router", Type: "ping", Target: "10.0.0.1", Interval: 30 * time.Second, Confirm: 2})
		h.setStatus(parent.ID, checks.StatusOK)
		child := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, DependsOn: []string{parent.ID}}) // checks every minute
		time.Sleep(time.Hour)
		h.snd.start = time.Now()
		inc := h.open(child)
		time.Sleep(30 * time.Second)
		h.setStatus(parent.ID, checks.StatusProblem)
		time.Sleep(5 * time.Minute)
		h.setStatus(parent.ID, checks.StatusOK) // at 5m30s
		time.Sleep(6*time.Hour - 5*time.Minute - 30*time.Second)
		h.resolve(inc)
		time.Sleep(time.Minute)
		// Held at 75 s (parent down) until 2m30s, then until 5m: still
		// down, held until 10m. By then the parent has been fine for
		// longer than the child's interval + 15 s: sent.
		want(t, "sent", h.snd.got(), []string{"a incident.opened @10m0s", "a incident.resolved @6h0m0s"})
		want(t, "log", h.log(inc.ID), []string{
			"a incident.opened 0 held (parent router is down)", "a incident.opened 0 held (parent router is down)",
			"a incident.opened 0 held (parent router is down)", "a incident.opened 0 sent", "a incident.resolved 0 sent",
		})
	})
}

// TestParentJustRecovered: a parent that recovered moments ago holds the
// dependant's opening message until the dependant has had a check of its
// own since, so a child failing only because of the parent is not paged.
func TestParentJustRecovered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		parent := h.addMonitor(store.Monitor{Name: "router", Type: "ping", Target: "10.0.0.1", Interval: 30 * time.Second, Confirm: 2})
		h.setStatus(parent.ID, checks.StatusProblem)
		child := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, DependsOn: []string{parent.ID}})
		inc := h.open(child)
		time.Sleep(70 * time.Second)
		h.setStatus(parent.ID, checks.StatusOK) // 5 s before the grace ends
		time.Sleep(30 * time.Second)
		h.resolve(inc) // the child's next check passes
		time.Sleep(time.Hour)
		want(t, "sent", h.snd.got(), nil)
		want(t, "log", h.log(inc.ID), []string{
			"a incident.opened 0 cancelled (incident resolved)", "a incident.opened 0 held (parent router recovered moments ago)",
		})
	})
}

// TestMaintenance: an incident opened before a window: the escalation
// step due inside it is held and sent when the window ends (the problem
// is real and still there); the reminder due inside it is skipped and the
// chain goes on.
func TestMaintenance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.contact("a", "webhook"), h.contact("b", "sms")
		pol := h.policy(store.EscalationStep{After: 20 * time.Minute, Targets: []string{b}})
		m := h.addMonitor(store.Monitor{Name: "web", Tags: []string{"prod"}, Notify: []string{a}, Escalation: pol, RemindEvery: 30 * time.Minute})
		start := time.Now()
		w := store.MaintenanceWindow{Name: "kernel update", Start: start.Add(10 * time.Minute), End: start.Add(50 * time.Minute), Tags: []string{"prod"}}
		if err := h.db.CreateMaintenance(&w, admin); err != nil {
			t.Fatal(err)
		}
		h.d.MaintenanceChanged()
		inc := h.open(m)
		time.Sleep(100 * time.Minute)
		want(t, "sent", h.snd.got(), []string{"a incident.opened @0s", "b incident.opened @50m0s", "a incident.reminder @1h0m0s", "a incident.reminder @1h30m0s"})
		want(t, "log", h.log(inc.ID), []string{
			"a incident.opened 0 sent", "a incident.reminder 1 suppressed (in maintenance kernel update)",
			"a incident.reminder 2 sent", "a incident.reminder 3 sent",
			"b incident.opened 1 held (in maintenance kernel update)", "b incident.opened 1 sent",
		})
	})
}

// TestMaintenanceEnd: news of the end (or an acknowledgement) inside a
// window, for people paged before it, is held to the window's end; an
// acknowledgement still held when the incident ends gives way to the end.
// An incident opened and ended inside the window tells nobody anything.
func TestMaintenanceEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		start := time.Now()
		inc := h.open(m)
		time.Sleep(10 * time.Minute)
		w := store.MaintenanceWindow{Name: "fix", Start: start.Add(10 * time.Minute), End: start.Add(40 * time.Minute), Monitors: []string{m.ID}}
		if err := h.db.CreateMaintenance(&w, admin); err != nil {
			t.Fatal(err)
		}
		h.d.MaintenanceChanged()
		time.Sleep(5 * time.Minute)
		h.ack(inc)
		time.Sleep(5 * time.Minute)
		h.resolve(inc)
		time.Sleep(5 * time.Minute)
		inside := h.open(m) // opened and ended inside the window
		time.Sleep(5 * time.Minute)
		h.resolve(inside)
		time.Sleep(time.Hour)
		want(t, "sent", h.snd.got(), []string{"a incident.opened @0s", "a incident.resolved @40m0s"})
		want(t, "log", h.log(inc.ID), []string{
			"a incident.acknowledged 0 cancelled (incident resolved)", "a incident.acknowledged 0 held (in maintenance fix)",
			"a incident.opened 0 sent", "a incident.resolved 0 held (in maintenance fix)", "a incident.resolved 0 sent",
		})
		want(t, "log inside", h.log(inside.ID), []string{"a incident.opened 0 cancelled (incident resolved)", "a incident.opened 0 held (in maintenance fix)"})
	})
}

// TestRetryBackoff: failures are retried after about 5, 10, 20 s; the
// message goes out on the fourth attempt and each attempt is logged.
func TestRetryBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		var fails atomic.Int32
		h.snd.setFail(func(context.Context, store.Contact, notify.Event) error {
			if fails.Add(1) <= 3 {
				return errors.New("503 Service Unavailable")
			}
			return nil
		})
		inc := h.open(m)
		time.Sleep(time.Hour)
		calls := h.snd.all()
		if len(calls) != 4 {
			t.Fatalf("attempts = %v, want 4", h.snd.got())
		}
		for i, base := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
			gap := calls[i+1].at - calls[i].at
			if lo, hi := base*9/10, base*11/10; gap < lo || gap > hi {
				t.Errorf("gap before attempt %d = %s, want %s ±10%%", i+2, gap, base)
			}
		}
		want(t, "log", h.log(inc.ID), []string{
			"a incident.opened 0 retrying (503 Service Unavailable)", "a incident.opened 0 retrying (503 Service Unavailable)",
			"a incident.opened 0 retrying (503 Service Unavailable)", "a incident.opened 0 sent",
		})
	})
}

// TestGiveUp: a provider that always fails is tried 20 times, then given
// up; a permanent error is given up at once; neither blocks the others.
func TestGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		flaky, bad, good := h.contact("flaky", "webhook"), h.contact("bad", "webhook"), h.contact("good", "email")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{flaky, bad, good}})
		h.snd.setFail(func(_ context.Context, c store.Contact, _ notify.Event) error {
			switch c.Name {
			case "flaky":
				return errors.New("connection refused")
			case "bad":
				return &notify.PermanentError{Err: errors.New("404 Not Found")}
			}
			return nil
		})
		inc := h.open(m)
		time.Sleep(48 * time.Hour)
		n := map[string]int{}
		for _, c := range h.snd.all() {
			n[c.contact]++
		}
		if n["flaky"] != maxAttempts || n["bad"] != 1 || n["good"] != 1 {
			t.Errorf("attempts = %v, want flaky %d, bad 1, good 1", n, maxAttempts)
		}
		log := h.log(inc.ID)
		for _, w := range []string{"bad incident.opened 0 gave_up (404 Not Found)", "flaky incident.opened 0 gave_up (connection refused)", "good incident.opened 0 sent"} {
			if !contains(log, w) {
				t.Errorf("log lacks %q: %q", w, log)
			}
		}
		pending, _ := h.db.PendingNotifications(inc.ID)
		if len(pending) != 0 {
			t.Errorf("still queued after giving up: %+v", pending)
		}
	})
}

// TestHangingSender: a provider that never answers does not delay
// another contact's message; it is cut off after the send timeout and
// retried.
func TestHangingSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		slow, fast := h.contact("slow", "webhook"), h.contact("fast", "email")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{slow}})
		m2 := h.addMonitor(store.Monitor{Name: "db", Notify: []string{fast}})
		var hung atomic.Bool
		h.snd.setFail(func(ctx context.Context, c store.Contact, _ notify.Event) error {
			if c.Name == "slow" && !hung.Swap(true) {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		})
		inc := h.open(m)
		time.Sleep(time.Second)
		h.open(m2)
		time.Sleep(time.Minute)
		got := h.snd.got()
		want(t, "sent", got[:2], []string{"slow incident.opened @0s", "fast incident.opened @1s"})
		// The retry: the 10 s timeout, then 5 s ±10%.
		if calls := h.snd.all(); len(calls) != 3 || calls[2].at < 14500*time.Millisecond || calls[2].at > 15500*time.Millisecond {
			t.Errorf("sent %q, want the slow contact's retry at 15s ±0.5s", got)
		}
		log := h.log(inc.ID)
		if len(log) != 2 || !strings.Contains(log[0], "retrying (no answer within 10s)") {
			t.Errorf("log = %q, want a timeout then sent", log)
		}
	})
}

// TestRestartResumesOutbox: what is queued when the server stops is sent
// by the next one, including a message that was being sent at the time.
func TestRestartResumesOutbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.contact("a", "webhook"), h.contact("b", "sms")
		pol := h.policy(store.EscalationStep{After: 10 * time.Minute, Targets: []string{b}})
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, Escalation: pol})
		h.snd.setFail(func(ctx context.Context, _ store.Contact, _ notify.Event) error {
			<-ctx.Done() // stopped mid-send
			return ctx.Err()
		})
		inc := h.open(m)
		time.Sleep(time.Second)
		h.snd.setFail(nil) // the send under way still hangs
		h.restart()
		time.Sleep(time.Hour)
		want(t, "sent", h.snd.got(), []string{"a incident.opened @0s", "a incident.opened @1s", "b incident.opened @10m0s"})
		want(t, "log", h.log(inc.ID), []string{"a incident.opened 0 sent", "b incident.opened 1 sent"})
	})
}

// TestTestMessage: Test sends at once, returns the provider's error and
// logs the attempt.
func TestTestMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.contact("a", "webhook")
		c, err := h.db.Contact(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.d.Test(t.Context(), c); err != nil {
			t.Fatalf("test message: %v", err)
		}
		h.snd.setFail(func(context.Context, store.Contact, notify.Event) error { return errors.New("401 Unauthorized") })
		if err := h.d.Test(t.Context(), c); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("test message to a failing provider: %v, want the 401", err)
		}
		time.Sleep(2 * time.Hour)
		want(t, "sent", h.snd.got(), []string{"a test @0s", "a test @0s"})
		want(t, "log", h.log(""), []string{"a test 0 failed (401 Unauthorized)", "a test 0 sent"})
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
