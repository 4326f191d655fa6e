// Package ui renders Vigil's web interface: one templ component per screen,
// a shared layout, server-rendered SVG charts (package ui/chart) and the
// embedded static assets served by Static.
//
// ui imports nothing of Vigil's. Each screen takes typed props (props.go)
// that the server's handlers fill; components do no data access. Pages read
// fully without JavaScript; app.js and htmx only enhance them (live refresh,
// re-rendering the monitor form when its type changes).
//
// Relative times ("12 s ago") are computed against the clock in the render
// context (WithNow), so pages and their golden tests are deterministic.
package ui
