package ui

import "strconv"

// statusOrder is the order statuses are listed in: worst first.
var statusOrder = []string{"problem", "warning", "ok", "paused", "unknown"}

func statusTitle(s string) string {
	switch s {
	case "ok":
		return "OK"
	case "warning":
		return "Warning"
	case "problem":
		return "Problem"
	case "paused":
		return "Paused"
	}
	return "Unknown"
}

func countFor(c StatusCounts, s string) string {
	n := c.Unknown
	switch s {
	case "ok":
		n = c.OK
	case "warning":
		n = c.Warning
	case "problem":
		n = c.Problem
	case "paused":
		n = c.Paused
	}
	return strconv.Itoa(n)
}

// toggleStatus makes a summary link clear the filter when it is the one
// already applied.
func toggleStatus(current, s string) string {
	if current == s {
		return ""
	}
	return s
}
