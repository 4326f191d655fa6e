package server

import (
	"fmt"
	"net/http"
	"time"
)

// contactTestKey is the sign-in limiter's key for one user's "Send test"
// presses. The limiter's default for such keys (auth.DefaultLimits: 20
// in 15 minutes) is plenty for checking contacts one by one, and stops a
// script from running up an SMS or voice bill (toll fraud) or flooding a
// receiver through Vigil.
func contactTestKey(rc *reqCtx) string { return "contact-test:" + rc.user.ID }

// allowContactTest counts one test send by rc's user, or returns a 429
// saying when the next is allowed.
func (s *Server) allowContactTest(rc *reqCtx) error {
	ok, wait := s.limiter.Attempt(contactTestKey(rc), time.Now())
	if ok {
		return nil
	}
	wait = max(wait, time.Second)
	return &apiError{Status: http.StatusTooManyRequests, RetryAfter: wait,
		Msg: fmt.Sprintf("too many test messages: try again in %s", wait.Round(time.Second))}
}
