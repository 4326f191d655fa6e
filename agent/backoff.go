package agent

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoffRange bounds the delays between retries.
type backoffRange struct {
	Min, Max time.Duration
}

// defaultRetry is the backoff of every loop: from one second to a minute.
var defaultRetry = backoffRange{Min: time.Second, Max: time.Minute}

// backoff is exponential backoff with jitter: the n-th failure in a row
// waits a random time between half and all of Min·2ⁿ, capped at Max, so
// many agents cut off together do not come back together.
type backoff struct {
	r        backoffRange
	failures int
}

// next returns how long to wait after one more failure.
func (b *backoff) next() time.Duration {
	d := b.r.Min
	for i := 0; i < b.failures && d < b.r.Max; i++ {
		d *= 2
	}
	d = min(d, b.r.Max)
	b.failures++
	half := d / 2
	return half + rand.N(half+1)
}

// reset starts again from Min after a success.
func (b *backoff) reset() { b.failures = 0 }

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
