package gateway

import (
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestOnline(t *testing.T) {
	start := time.Now()
	c := &clock{t: start}
	g := New(Config{PollWait: 30 * time.Second, Now: c.now})
	if g.Online("1") {
		t.Error("never seen, yet online")
	}
	g.seen("1", start)
	tests := []struct {
		after time.Duration
		want  bool
	}{
		{0, true},
		{30 * time.Second, true},
		{g.OfflineAfter(), true},
		{g.OfflineAfter() + time.Second, false},
	}
	for _, tt := range tests {
		c.set(start.Add(tt.after))
		if got := g.Online("1"); got != tt.want {
			t.Errorf("%s after the last poll: online %v, want %v", tt.after, got, tt.want)
		}
	}
	if seen, ok := g.LastSeen("1"); !ok || !seen.Equal(start) {
		t.Errorf("LastSeen = %v %v", seen, ok)
	}
}

func TestPollWaitKeptInBounds(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{0, DefaultPollWait},
		{time.Millisecond, time.Second},
		{time.Hour, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := New(Config{PollWait: tt.in}).cfg.PollWait; got != tt.want {
			t.Errorf("PollWait %s became %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestPresence(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	spool := wire.SpoolStats{Records: 12, Bytes: 4096, Dropped: 3}
	tests := []struct {
		name  string
		setup func(g *Gateway)
		want  Presence
	}{
		{"never heard of", func(*Gateway) {}, Presence{}},
		{"loaded from the store", func(g *Gateway) { g.seen("1", start) }, Presence{LastSeen: start}},
		{"polled", func(g *Gateway) {
			g.seen("1", start)
			g.touch("1", start.Add(time.Minute), "192.0.2.7")
			g.noteSpool("1", spool)
		}, Presence{LastSeen: start.Add(time.Minute), Polled: true, Address: "192.0.2.7", Spool: spool}},
		{"spool emptied", func(g *Gateway) {
			g.touch("1", start, "192.0.2.7")
			g.noteSpool("1", spool)
			g.noteSpool("1", wire.SpoolStats{Dropped: 3})
		}, Presence{LastSeen: start, Polled: true, Address: "192.0.2.7", Spool: wire.SpoolStats{Dropped: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(Config{})
			tt.setup(g)
			if got := g.Presence("1"); got != tt.want {
				t.Errorf("Presence = %+v, want %+v", got, tt.want)
			}
		})
	}
}
