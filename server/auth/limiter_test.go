package auth

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func TestLimiterDefaults(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		fails int // failures allowed before Allow refuses
	}{
		{"user", "user:alice", 5},
		{"ip", "ip:192.0.2.1", 20},
		{"bare key", "192.0.2.1", 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLimiter(DefaultLimits)
			for i := range tc.fails {
				now := t0.Add(time.Duration(i) * time.Second)
				if ok, _ := l.Allow(tc.key, now); !ok {
					t.Fatalf("refused after %d failures, want %d allowed", i, tc.fails)
				}
				l.Fail(tc.key, now)
			}
			last := t0.Add(time.Duration(tc.fails-1) * time.Second)
			ok, wait := l.Allow(tc.key, last)
			// The first failure (at t0) leaves the window first.
			if ok || wait != 15*time.Minute-time.Duration(tc.fails-1)*time.Second {
				t.Fatalf("Allow = %v, %v; want false, %v", ok, wait, 15*time.Minute-time.Duration(tc.fails-1)*time.Second)
			}
			if ok, _ := l.Allow(tc.key, t0.Add(15*time.Minute)); !ok {
				t.Fatal("still refused once the first failure left the window")
			}
		})
	}
}

func TestLimiterSlidingWindow(t *testing.T) {
	l := NewLimiter(Limits{Window: 10 * time.Minute, Failures: 3})
	const k = "ip:a"
	for _, m := range []int{0, 4, 8} {
		l.Fail(k, t0.Add(time.Duration(m)*time.Minute))
	}
	steps := []struct {
		min  int
		ok   bool
		wait time.Duration
	}{
		{9, false, time.Minute}, // failure at 0 leaves at 10
		{10, true, 0},           // two left in the window
	}
	for _, s := range steps {
		t.Run(fmt.Sprintf("minute %d", s.min), func(t *testing.T) {
			ok, wait := l.Allow(k, t0.Add(time.Duration(s.min)*time.Minute))
			if ok != s.ok || wait != s.wait {
				t.Fatalf("Allow = %v, %v; want %v, %v", ok, wait, s.ok, s.wait)
			}
		})
	}
	l.Fail(k, t0.Add(10*time.Minute))
	if ok, wait := l.Allow(k, t0.Add(11*time.Minute)); ok || wait != 3*time.Minute {
		t.Fatalf("after a fourth failure: Allow = %v, %v; want false, 3m (failure at 4 leaves at 14)", ok, wait)
	}
}

func TestLimiterReset(t *testing.T) {
	l := NewLimiter(Limits{Window: time.Minute, Failures: 1})
	l.Fail("user:a", t0)
	l.Fail("user:b", t0)
	l.Reset("user:a")
	if ok, _ := l.Allow("user:a", t0); !ok {
		t.Fatal("refused after Reset")
	}
	if ok, _ := l.Allow("user:b", t0); ok {
		t.Fatal("Reset of one key allowed another")
	}
	l.Reset("never-seen")
}

func TestLimiterPrefixes(t *testing.T) {
	l := NewLimiter(Limits{Failures: 10, PrefixFailures: map[string]int{"user:": 3, "user:admin": 1}})
	for key, want := range map[string]int{"user:admin": 1, "user:administrator": 1, "user:bob": 3, "ip:x": 10} {
		t.Run(key, func(t *testing.T) {
			if got := l.limit(key); got != want {
				t.Fatalf("limit = %d, want %d", got, want)
			}
		})
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	l := NewLimiter(Limits{Window: time.Hour, Failures: 2, MaxKeys: 100})
	const victim = "user:victim"
	l.Fail(victim, t0)
	l.Fail(victim, t0)
	for i := range 10000 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		l.Fail(fmt.Sprintf("user:spray%d", i), at)
		if i%50 == 0 { // the attacker keeps trying the victim
			l.Fail(victim, at)
		}
	}
	if n := l.Len(); n != 100 {
		t.Fatalf("tracking %d keys, want the cap of 100", n)
	}
	if ok, _ := l.Allow(victim, t0.Add(10*time.Second)); ok {
		t.Fatal("the victim's entry was evicted while under attack")
	}
	if ok, _ := l.Allow("user:spray0", t0.Add(10*time.Second)); !ok {
		t.Fatal("the oldest sprayed key is still tracked")
	}
}

func TestLimiterForgetsExpiredKeys(t *testing.T) {
	l := NewLimiter(Limits{Window: time.Minute, Failures: 5})
	l.Fail("ip:a", t0)
	if ok, _ := l.Allow("ip:a", t0.Add(time.Minute)); !ok || l.Len() != 0 {
		t.Fatalf("Allow = %v with %d keys tracked; want true and 0", ok, l.Len())
	}
}

func TestAttemptCountsBeforeTheCheck(t *testing.T) {
	l := NewLimiter(Limits{Window: time.Minute, Failures: 3, PrefixFailures: map[string]int{"user:": 3}, MaxKeys: 10})
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	// Three attempts in flight at once: a fourth is refused before any of
	// them has been found wrong.
	for i := range 3 {
		if ok, _ := l.Attempt("user:a", now); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if ok, _ := l.Attempt("user:a", now); ok {
		t.Fatal("fourth parallel attempt allowed")
	}
	l.Forgive("user:a", now)
	if ok, _ := l.Attempt("user:a", now); !ok {
		t.Fatal("attempt refused after one was forgiven")
	}
}
