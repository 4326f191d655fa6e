package checks

import (
	"strconv"
	"time"
)

// A panic of the MySQL driver while it logs in (on a malformed handshake
// or authentication packet, which it does not check) is recovered, but
// it leaves one of the driver's goroutines behind, with the connection's
// buffer: nothing ever tells it the connection ended. So a server that
// does this is not contacted again at once but after 1, 2, 4 … minutes,
// at most an hour apart; the runs between repeat the last problem. That
// bounds the rate of the leak, not its total, so after mysqlBreakerLimit
// such panics a checker stops contacting the server altogether: saving
// the monitor builds a new checker, which tries again. Panics later in a
// run leave nothing behind (closing the connection ends that goroutine).
const (
	mysqlBreakerFirst = time.Minute
	mysqlBreakerMax   = time.Hour
	mysqlBreakerLimit = 5
)

// mysqlBreakerStopped is the problem reported once a checker has given up.
var mysqlBreakerStopped = "the server's replies crashed the MySQL driver " + strconv.Itoa(mysqlBreakerLimit) +
	" times; not contacted again until this monitor is saved again"

// mysqlBreaker remembers driver panics during login.
type mysqlBreaker struct {
	target string
	panics int // since the last login that worked, on target
	until  time.Time
	msg    string
	// leaked counts every panic during login in the checker's life, on
	// any target: each left a goroutine behind, and a login that worked
	// in between does not bring it back.
	leaked int
}

// held returns the problem to report instead of connecting to target
// now, or "" when the check may connect.
func (c *mysqlChecker) held(target string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.breaker
	if b.leaked >= mysqlBreakerLimit {
		return mysqlBreakerStopped + " (last: " + b.msg + ")"
	}
	if b.target != target || b.panics == 0 || !c.now().Before(b.until) {
		return ""
	}
	return b.msg + " (not contacted again before " + b.until.Format("15:04:05") + ")"
}

// broke records a driver panic during login to target, whose problem is
// msg, and returns the problem to report for this run.
func (c *mysqlChecker) broke(target, msg string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := &c.breaker
	if b.target != target {
		b.target, b.panics = target, 0
	}
	wait := mysqlBreakerFirst << min(b.panics, 6)
	b.panics++
	b.leaked++
	b.until, b.msg = c.now().Add(min(wait, mysqlBreakerMax)), msg
	if b.leaked >= mysqlBreakerLimit {
		return msg + "; " + mysqlBreakerStopped
	}
	return msg
}

// loggedIn forgets earlier panics once a login worked, but not how many
// goroutines they left behind.
func (c *mysqlChecker) loggedIn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.breaker.panics = 0
}
