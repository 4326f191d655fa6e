package checks

import "context"

// readLoad reports that Windows keeps no load average. gopsutil emulates
// one with a background sampler; an agent does not start that for a
// number no other Windows tool shows.
func readLoad(context.Context) (loadAverage, error) {
	return loadAverage{}, errNoLoadAverage
}
