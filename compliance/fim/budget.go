package fim

import (
	"context"
	"sync"
	"time"
)

// budget is a token bucket shared by a scan's hashing workers: it lets
// rate bytes per second through on average, with bursts of at most a
// tenth of a second's worth, so a scan's reads never saturate the disk.
type budget struct {
	mu     sync.Mutex
	rate   float64 // bytes per second; 0: unlimited
	burst  float64
	tokens float64
	last   time.Time
}

func newBudget(rate int64) *budget {
	b := &budget{rate: float64(rate), last: time.Now()}
	b.burst = max(b.rate/10, 64<<10)
	b.tokens = b.burst
	return b
}

// chunk is how much a worker should read at once under this budget.
func (b *budget) chunk(buf int) int {
	if b.rate == 0 {
		return buf
	}
	return min(buf, int(b.burst))
}

// wait takes n bytes from the bucket, sleeping while it is in debt.
func (b *budget) wait(ctx context.Context, n int) error {
	if b.rate == 0 {
		return nil
	}
	b.mu.Lock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens -= float64(n)
	debt := b.tokens
	b.mu.Unlock()
	if debt >= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(-debt / b.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
