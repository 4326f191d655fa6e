package checks

import "math"

// roundMS rounds a timing to 0.1 ms for Values: finer digits are network
// noise, and a whole number of tenths is what the store's value deltas keep
// in a byte or two instead of a raw 8-byte float. (The result's own
// latency keeps 0.01 ms.)
func roundMS(ms float64) float64 {
	return math.Round(ms*10) / 10
}

// roundDays rounds a number of days to 0.01 (about 15 minutes), so a
// certificate's days-left value changes a few times an hour, not on every
// check.
func roundDays(days float64) float64 {
	return math.Round(days*100) / 100
}
