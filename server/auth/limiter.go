package auth

import (
	"container/list"
	"strings"
	"sync"
	"time"
)

// Limits configure a Limiter.
type Limits struct {
	// Window is how long a failure counts.
	Window time.Duration
	// Failures is how many failures a key may have within Window before
	// Allow refuses it.
	Failures int
	// PrefixFailures sets other limits for keys with a given prefix; the
	// longest matching prefix wins.
	PrefixFailures map[string]int
	// MaxKeys bounds how many keys are tracked. Past it the key that
	// failed least recently is forgotten, so spraying names or addresses
	// cannot grow memory.
	MaxKeys int
}

// DefaultLimits suit sign-in: keys "user:NAME" get 5 failures per 15
// minutes, any other key (an IP address, "ip:ADDR") 20.
var DefaultLimits = Limits{
	Window:         15 * time.Minute,
	Failures:       20,
	PrefixFailures: map[string]int{"user:": 5},
	MaxKeys:        10000,
}

// Limiter counts failures per key in a sliding window. It is safe for
// concurrent use. Callers pass the time, so tests need no sleeps.
//
// Eviction favours the attacker only a little: an entry under attack is
// touched by every failure and so is the last to go, and filling the map
// takes MaxKeys failures, which the per-IP keys limit in turn.
type Limiter struct {
	limits Limits
	mu     sync.Mutex
	keys   map[string]*list.Element // value: *limitEntry
	lru    *list.List               // front: most recent failure
}

type limitEntry struct {
	key   string
	fails []time.Time // oldest first, at most the key's limit
}

// NewLimiter returns a Limiter. Zero fields of l take DefaultLimits'.
func NewLimiter(l Limits) *Limiter {
	if l.Window <= 0 {
		l.Window = DefaultLimits.Window
	}
	if l.Failures <= 0 {
		l.Failures = DefaultLimits.Failures
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = DefaultLimits.MaxKeys
	}
	prefixes := make(map[string]int, len(l.PrefixFailures))
	for p, n := range l.PrefixFailures {
		if n > 0 {
			prefixes[p] = n
		}
	}
	l.PrefixFailures = prefixes
	return &Limiter{limits: l, keys: map[string]*list.Element{}, lru: list.New()}
}

// limit is how many failures key may have within the window.
func (l *Limiter) limit(key string) int {
	n, best := l.limits.Failures, -1
	for p, pn := range l.limits.PrefixFailures {
		if strings.HasPrefix(key, p) && len(p) > best {
			n, best = pn, len(p)
		}
	}
	return n
}

// Allow reports whether key may try now and, when not, how long until it
// may. Asking is free: only Fail counts.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.allowLocked(key, now)
}

func (l *Limiter) allowLocked(key string, now time.Time) (bool, time.Duration) {
	el, found := l.keys[key]
	if !found {
		return true, 0
	}
	e := el.Value.(*limitEntry)
	l.prune(e, now)
	if len(e.fails) == 0 {
		l.remove(el)
		return true, 0
	}
	if len(e.fails) < l.limit(key) {
		return true, 0
	}
	// The oldest failure in the window is the next to expire.
	return false, e.fails[0].Add(l.limits.Window).Sub(now)
}

// Fail records a failed attempt by key at now.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failLocked(key, now)
}

// Attempt is Allow and Fail in one step: an allowed attempt counts as
// failed at once, so many attempts in parallel cannot all pass Allow
// before the first of them is found wrong. Call Forgive with the same
// time when the attempt succeeds.
func (l *Limiter) Attempt(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok, wait := l.allowLocked(key, now); !ok {
		return false, wait
	}
	l.failLocked(key, now)
	return true, 0
}

// Forgive takes back the attempt that Attempt recorded for key at at.
func (l *Limiter) Forgive(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, found := l.keys[key]
	if !found {
		return
	}
	e := el.Value.(*limitEntry)
	for i := len(e.fails) - 1; i >= 0; i-- {
		if e.fails[i].Equal(at) {
			e.fails = append(e.fails[:i], e.fails[i+1:]...)
			break
		}
	}
	if len(e.fails) == 0 {
		l.remove(el)
	}
}

func (l *Limiter) failLocked(key string, now time.Time) {
	el, found := l.keys[key]
	if !found {
		el = l.lru.PushFront(&limitEntry{key: key})
		l.keys[key] = el
		for l.lru.Len() > l.limits.MaxKeys {
			l.remove(l.lru.Back())
		}
	} else {
		l.lru.MoveToFront(el)
	}
	e := el.Value.(*limitEntry)
	l.prune(e, now)
	e.fails = append(e.fails, now)
	// Only the newest `limit` failures can ever matter to Allow.
	if n := l.limit(key); len(e.fails) > n {
		e.fails = append(e.fails[:0], e.fails[len(e.fails)-n:]...)
	}
}

// Reset forgets key's failures, after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, found := l.keys[key]; found {
		l.remove(el)
	}
}

// Len is how many keys are tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// prune drops failures that left the window.
func (l *Limiter) prune(e *limitEntry, now time.Time) {
	cut := 0
	for cut < len(e.fails) && !now.Before(e.fails[cut].Add(l.limits.Window)) {
		cut++
	}
	if cut > 0 {
		e.fails = append(e.fails[:0], e.fails[cut:]...)
	}
}

func (l *Limiter) remove(el *list.Element) {
	delete(l.keys, el.Value.(*limitEntry).key)
	l.lru.Remove(el)
}
