// Package scheduler runs checks on time. It keeps each job's next run in a
// min-heap, spreads first runs with jitter over the interval, measures
// intervals start to start, and runs checks on a bounded number of worker
// goroutines that exist only while there is work.
//
// The dispatcher never waits for a worker: due runs queue in order and the
// delay between a run's scheduled time and its actual start (the lag) is
// measured and reported by Stats. A run that is still going (or still
// queued) when its next run falls due makes that next run be skipped and
// counted, so a slow check never piles up and never delays other checks.
package scheduler
