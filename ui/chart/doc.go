// Package chart draws Vigil's charts as SVG on the server: the
// response-time chart of a monitor, the dashboard sparkline and the status
// timeline bar. The functions are pure and deterministic (the same input
// gives the same bytes), so pages render without JavaScript and tests can
// compare output with golden files.
//
// Colours come from CSS classes (ch-*, tl-*) rather than attributes, so the
// page's stylesheet decides them, including in dark mode.
package chart
