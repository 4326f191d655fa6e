package main

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// stats is what every simulated agent reports into. Latencies are kept
// only while measuring (the window after the warm-up); counts cover the
// whole run, so the final check can compare results made and acknowledged.
type stats struct {
	measuring atomic.Bool

	generated atomic.Int64 // results made by the simulated checks
	accepted  atomic.Int64 // results the server acknowledged as stored
	dropped   atomic.Int64 // results the server acknowledged as dropped
	lost      atomic.Int64 // results the simulator gave up on (its queue was full)

	mu         sync.Mutex
	ingest     []float64 // ms from sending a batch to its ack
	batchSizes []int     // results per acknowledged batch
	pollLate   []float64 // ms a held poll (204) came back after the hold
	pollAnswer []float64 // ms for a poll answered at once with assignments
	errs       map[string]int
	firstErr   map[string]string
}

func newStats() *stats {
	return &stats{errs: map[string]int{}, firstErr: map[string]string{}}
}

// acked records an acknowledged batch of n results sent took ago.
func (s *stats) acked(took time.Duration, n int) {
	if !s.measuring.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ingest = append(s.ingest, ms(took))
	s.batchSizes = append(s.batchSizes, n)
}

// polled records a poll that took took: late is how long after the hold
// the server answered a 204, or -1 for an answer with assignments.
func (s *stats) polled(took, wait time.Duration, held bool) {
	if !s.measuring.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if held {
		s.pollLate = append(s.pollLate, ms(took-wait))
	} else {
		s.pollAnswer = append(s.pollAnswer, ms(took))
	}
}

// fail counts an error of kind ("poll", "results", …), keeping the first
// message of each kind and the server's code when it sent one.
func (s *stats) fail(kind string, err error) {
	var we *wire.Error
	if errors.As(err, &we) {
		kind += " " + we.Code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[kind]++
	if _, ok := s.firstErr[kind]; !ok {
		s.firstErr[kind] = err.Error()
	}
}

// errorCounts returns the counts by kind and the first message of each.
func (s *stats) errorCounts() (map[string]int, map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.errs), maps.Clone(s.firstErr)
}

// dist is a latency distribution in milliseconds.
type dist struct {
	n             int
	p50, p99, max float64
}

func (d dist) String() string {
	if d.n == 0 {
		return "–"
	}
	return fmt.Sprintf("%s / %s / %s ms", fmtMS(d.p50), fmtMS(d.p99), fmtMS(d.max))
}

// fmtMS prints a latency with sense of scale: 0.42, 3.1, 120.
func fmtMS(x float64) string {
	switch {
	case x < 1:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// distOf returns the nearest-rank percentiles of xs.
func distOf(xs []float64) dist {
	if len(xs) == 0 {
		return dist{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return dist{n: len(s), p50: rank(0.50), p99: rank(0.99), max: s[len(s)-1]}
}

// snapshot is the window's distributions.
type snapshot struct {
	ingest, pollLate, pollAnswer dist
	batches, results             int
}

func (s *stats) snapshot() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := 0
	for _, n := range s.batchSizes {
		sum += n
	}
	return snapshot{
		ingest: distOf(s.ingest), pollLate: distOf(s.pollLate), pollAnswer: distOf(s.pollAnswer),
		batches: len(s.batchSizes), results: sum,
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
