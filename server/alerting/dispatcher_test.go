package alerting

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// TestEscalation: email and webhook at once, SMS at 10 minutes, voice at
// 20; an acknowledgement at 12 minutes stops the call, and everyone told
// so far hears of the acknowledgement once.
func TestEscalation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		email, hook := h.contact("mail", "email"), h.contact("hook", "webhook")
		sms, voice := h.contact("sms", "sms"), h.contact("voice", "voice")
		pol := h.policy(
			store.EscalationStep{After: 0, Targets: []string{email, hook}},
			store.EscalationStep{After: 10 * time.Minute, Targets: []string{sms}},
			store.EscalationStep{After: 20 * time.Minute, Targets: []string{voice}},
		)
		m := h.addMonitor(store.Monitor{Name: "web", Escalation: pol})
		inc := h.open(m)
		synctest.Wait()
		want(t, "at once", h.snd.got(), []string{"hook incident.opened @0s", "mail incident.opened @0s"})

		time.Sleep(12 * time.Minute)
		h.ack(inc)
		synctest.Wait()
		time.Sleep(30 * time.Minute)
		want(t, "after the ack", h.snd.got(), []string{
			"hook incident.opened @0s", "mail incident.opened @0s", "sms incident.opened @10m0s",
			"hook incident.acknowledged @12m0s", "mail incident.acknowledged @12m0s", "sms incident.acknowledged @12m0s",
		})
		want(t, "log", h.log(inc.ID), []string{
			"hook incident.acknowledged 0 sent", "hook incident.opened 0 sent",
			"mail incident.acknowledged 0 sent", "mail incident.opened 0 sent",
			"sms incident.acknowledged 0 sent", "sms incident.opened 1 sent",
			"voice incident.opened 2 cancelled (acknowledged by alice)",
		})
		for _, c := range h.snd.all() {
			if hasLink := c.ev.AckURL != ""; hasLink != (c.contact == "mail" && c.kind == EventOpened) {
				t.Errorf("%s: ack link %q; want one in the opening email only", c, c.ev.AckURL)
			}
		}
	})
}

// TestResolve: the end is told once to everyone told of the incident;
// pending steps are cancelled.
func TestResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.contact("a", "webhook"), h.contact("b", "sms")
		pol := h.policy(store.EscalationStep{After: 5 * time.Minute, Targets: []string{b}})
		m := h.addMonitor(store.Monitor{Name: "db", Notify: []string{a}, Escalation: pol})
		inc := h.open(m)
		time.Sleep(time.Minute)
		h.resolve(inc)
		h.resolve2(inc)
		time.Sleep(time.Hour)
		want(t, "sent", h.snd.got(), []string{"a incident.opened @0s", "a incident.resolved @1m0s"})
		want(t, "log", h.log(inc.ID), []string{
			"a incident.opened 0 sent", "a incident.resolved 0 sent", "b incident.opened 1 cancelled (incident resolved)",
		})
	})
}

// TestSameNewsTwice: an incident opened (or resolved, or acknowledged)
// twice is still one message per contact, and a contact reached both
// directly and through a group hears it once.
func TestSameNewsTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.contact("a", "webhook"), h.contact("b", "email")
		g := h.group("team", a, b)
		m := h.addMonitor(store.Monitor{Name: "db", Notify: []string{a, g}})
		inc := h.open(m)
		h.d.OnEngineEvent(openedEvent(m, inc))
		synctest.Wait()
		h.d.OnEngineEvent(openedEvent(m, inc)) // after sending, too
		time.Sleep(time.Minute)
		h.ack(inc)
		h.d.Acknowledged(h.incident(inc.ID))
		time.Sleep(time.Minute)
		h.resolve(inc)
		h.resolve2(inc)
		time.Sleep(time.Minute)
		want(t, "sent", h.snd.got(), []string{
			"a incident.opened @0s", "b incident.opened @0s",
			"a incident.acknowledged @1m0s", "b incident.acknowledged @1m0s",
			"a incident.resolved @2m0s", "b incident.resolved @2m0s",
		})
	})
}

// TestResolveDuringSend: a contact whose opening message is being sent
// when the incident resolves hears of the end too, after the opening.
func TestResolveDuringSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		h.snd.setFail(func(ctx context.Context, _ store.Contact, ev notify.Event) error {
			if ev.Kind == EventOpened {
				time.Sleep(3 * time.Second) // a slow provider
			}
			return nil
		})
		inc := h.open(m)
		time.Sleep(time.Second)
		h.resolve(inc)
		time.Sleep(time.Minute)
		want(t, "sent", h.snd.got(), []string{"a incident.opened @0s", "a incident.resolved @3s"})
	})
}

// TestWeeklyMaintenance: a weekly window holds the opening message to
// its end and skips the reminders due inside it, every week; between
// windows the reminders go out. The bubble starts on Saturday 2000-01-01
// 00:00 UTC; the window is Saturdays 00:00-01:30.
func TestWeeklyMaintenance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "webhook")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}, RemindEvery: time.Hour})
		w := store.MaintenanceWindow{Name: "backups", Monitors: []string{m.ID},
			Weekly: &store.WeeklyWindow{Days: []time.Weekday{time.Saturday}, From: "00:00", To: "01:30", TimeZone: "UTC"}}
		if err := h.db.CreateMaintenance(&w, admin); err != nil {
			t.Fatal(err)
		}
		inc := h.open(m)
		time.Sleep(7*24*time.Hour + 135*time.Minute)
		week := 7 * 24 * time.Hour
		var quiet, sent []string
		for _, c := range h.snd.all() {
			if c.at < 90*time.Minute || (c.at >= week && c.at < week+90*time.Minute) {
				quiet = append(quiet, c.String())
			}
			sent = append(sent, c.String())
		}
		want(t, "sent during the windows", quiet, nil)
		// The opening at 1h30, reminders at 2h30 … 169h30, less 168h30.
		if n := len(sent); n != 168 {
			t.Errorf("sent %d messages in a week and 2¼ hours, want 168", n)
		}
		held, suppressed := 0, 0
		for _, l := range h.log(inc.ID) {
			held += strings.Count(l, "held (in maintenance backups)")
			suppressed += strings.Count(l, "suppressed (in maintenance backups)")
		}
		if held != 2 || suppressed != 1 {
			t.Errorf("held %d, suppressed %d; want the opening held twice (at most an hour at a time) and the reminder at 168h30 suppressed", held, suppressed)
		}
	})
}

// TestAckLinkInEmail: the link in an opening email verifies for that
// incident and contact.
func TestAckLinkInEmail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a := h.contact("a", "email")
		m := h.addMonitor(store.Monitor{Name: "web", Notify: []string{a}})
		inc := h.open(m)
		synctest.Wait()
		calls := h.snd.all()
		if len(calls) != 1 {
			t.Fatalf("sent %v", h.snd.got())
		}
		u, err := url.Parse(calls[0].ev.AckURL)
		if err != nil || !strings.HasPrefix(calls[0].ev.AckURL, "https://vigil.test/ack/"+inc.ID+"?") {
			t.Fatalf("ack link %q: %v", calls[0].ev.AckURL, err)
		}
		if c, err := h.d.signer.Verify(inc.ID, u.Query(), time.Now()); err != nil || c != a {
			t.Errorf("verify = %q, %v; want contact %s", c, err, a)
		}
	})
}
