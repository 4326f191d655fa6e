// Package testenv starts real processes for tests: the vigil binary built
// from this checkout, run as a server on free loopback ports with its own
// data directory, and the outside programs tests drive (Chromium).
//
// Everything here takes a testing.TB and cleans up when the test ends. A
// program the machine lacks makes the test skip with a message naming the
// Debian package; `make test` installs those packages, so CI never skips.
package testenv
