package testenv

import (
	"bytes"
	"context"
	"strings"
	"sync"
)

// logBuffer collects a process's stderr. Readers wait for new output on a
// channel that every write closes, so nobody polls with sleeps.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLogBuffer() *logBuffer {
	return &logBuffer{changed: make(chan struct{})}
}

// Write appends p and wakes every waiter.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

// String returns everything written so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// snapshot returns the text so far and a channel closed on the next write.
func (b *logBuffer) snapshot() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.changed
}

// waitFor returns the first result of match over the whole text that is
// not "", waiting for more output until ctx ends or exited is closed.
func (b *logBuffer) waitFor(ctx context.Context, exited <-chan struct{}, match func(string) string) (string, bool) {
	for {
		text, changed := b.snapshot()
		if v := match(text); v != "" {
			return v, true
		}
		select {
		case <-changed:
		case <-exited:
			// The process is gone: whatever it wrote is all there is.
			v := match(b.String())
			return v, v != ""
		case <-ctx.Done():
			return "", false
		}
	}
}

// containsMatcher returns a matcher for a plain substring.
func containsMatcher(sub string) func(string) string {
	return func(s string) string {
		if strings.Contains(s, sub) {
			return sub
		}
		return ""
	}
}
