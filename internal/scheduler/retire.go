package scheduler

import (
	"io"
	"reflect"

	"github.com/vigil-monitor/vigil/checks"
)

// A checker that holds resources between runs (the logfile check keeps
// the files it tails open) implements io.Closer. The scheduler closes it
// once it is replaced or removed: at once when no run is using it, or
// when the run in progress or queued returns.

// retire arranges for c to be closed once e's runs no longer use it, and
// returns it if that is now; the caller closes it outside s.mu. s.mu must
// be held.
func (s *Scheduler) retire(e *entry, c checks.Checker) io.Closer {
	cl, ok := c.(io.Closer)
	if !ok {
		return nil
	}
	if e.busy {
		e.retired = append(e.retired, cl)
		return nil
	}
	return cl
}

// takeRetired returns e's checkers left to close after its run and
// forgets them. s.mu must be held.
func takeRetired(e *entry) []io.Closer {
	r := e.retired
	e.retired = nil
	return r
}

// closeAll closes each checker, ignoring errors: a file the check tailed
// that fails to close has nothing left to tell anyone.
func closeAll(cs ...io.Closer) {
	for _, c := range cs {
		if c != nil {
			_ = c.Close()
		}
	}
}

// sameChecker reports whether a and b are the same checker value. A job
// upserted again with its own checker (an unchanged monitor) must not
// have it closed. Checkers of a type that cannot be compared are never
// the same.
func sameChecker(a, b checks.Checker) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	// Only pointers are compared: == on a struct that holds an interface
	// holding a slice would panic, and under s.mu.
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Kind() == reflect.Pointer && a == b
}
