// Package server is the composition root of `vigil server`: it opens the
// store, starts the scheduler, the ingest writer and the state engine,
// and serves the web UI and the JSON API.
package server
