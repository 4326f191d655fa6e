package checks

import (
	"time"
)

// A panic of the MySQL driver while it logs in (on a malformed handshake
// or authentication packet, which it does not check) is recovered, but
// it leaves one of the driver's goroutines behind: nothing ever tells it
// the connection ended. So a server that does this is not contacted
// again at once but after 1, 2, 4 … minutes, at most an hour apart; the
// runs between repeat the last problem. Panics later in a run leave
// nothing behind (closing the connection ends that goroutine).
const (
	mysqlBreakerFirst = time.Minute
	mysqlBreakerMax   = time.Hour
)

// mysqlBreaker remembers driver panics during login to one target.
type mysqlBreaker struct {
	target string
	panics int
	until  time.Time
	msg    string
}

// held returns the problem to report instead of connecting to target
// now, or "" when the check may connect.
func (c *mysqlChecker) held(target string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.breaker
	if b.target != target || b.panics == 0 || !c.now().Before(b.until) {
		return ""
	}
	return b.msg + " (not contacted again before " + b.until.Format("15:04:05") + ")"
}

// broke records a driver panic during login to target.
func (c *mysqlChecker) broke(target, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := &c.breaker
	if b.target != target {
		*b = mysqlBreaker{target: target}
	}
	wait := mysqlBreakerFirst << min(b.panics, 6)
	b.panics++
	b.until, b.msg = c.now().Add(min(wait, mysqlBreakerMax)), msg
}

// loggedIn forgets earlier panics once a login worked.
func (c *mysqlChecker) loggedIn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.breaker.panics > 0 {
		c.breaker = mysqlBreaker{}
	}
}
