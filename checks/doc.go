// Package checks holds every check type Vigil can run, behind one registry.
//
// A check type is one file that calls Register from an init function with
// its name, the settings it accepts, a factory that validates those settings
// into a ready Checker, and a target validator. The server uses the registry
// to validate API input; the scheduler (on the server or on an agent) uses it
// to run checks. Adding a type touches its file, its test and its doc page
// under docs/checks, nothing else.
package checks
