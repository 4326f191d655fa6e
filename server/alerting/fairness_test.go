package alerting

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// TestHangingContactKeepsOthersOnTime is the review's scenario: 60
// incidents, each notifying a webhook that never answers and an email
// that works. The webhook may hold at most a couple of send slots, so
// every email goes out within 1 s of its due time.
func TestHangingContactKeepsOthersOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		hook, mail := h.contact("hook", "webhook"), h.contact("mail", "email")
		h.snd.setFail(func(ctx context.Context, c store.Contact, _ notify.Event) error {
			if c.Name == "hook" {
				<-ctx.Done() // never answers
				return ctx.Err()
			}
			return nil
		})
		const incidents = 60
		for i := range incidents {
			m := h.addMonitor(store.Monitor{Name: "web " + string(rune('a'+i%26)) + string(rune('a'+i/26)), Notify: []string{hook, mail}})
			h.open(m)
		}
		time.Sleep(2 * time.Minute)
		n := 0
		for _, c := range h.snd.all() {
			if c.contact != "mail" {
				continue
			}
			n++
			if c.at > time.Second {
				t.Errorf("email sent at %s, want within 1s of opening", c.at)
			}
		}
		if n != incidents {
			t.Errorf("sent %d emails, want %d", n, incidents)
		}
	})
}
