// Package chart draws Vigil's charts as SVG on the server: a monitor's
// response-time chart and one chart per value its results carry, the
// dashboard sparkline and the status timeline bar. The functions are pure
// and deterministic (the same input gives the same bytes), so pages render
// without JavaScript and tests can compare output with golden files.
//
// Colours come from CSS classes (ch-*, tl-*) rather than attributes, so the
// page's stylesheet decides them, including in dark mode.
package chart
