// Package store keeps everything the server persists in one bbolt file:
// records (monitors, users, sessions, tokens, incidents, audit log) and the
// results time series, packed into delta-encoded chunks with rollups and
// retention so the file stays bounded however long the server runs.
//
// DB is concrete; consumers declare the small interface they need.
package store
