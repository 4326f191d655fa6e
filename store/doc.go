// Package store keeps everything the server persists in one bbolt file:
// records (monitors, users, sessions, tokens, incidents, audit log) and the
// results time series, packed into delta-encoded chunks with rollups and
// retention so the file stays bounded however long the server runs.
//
// What one stored result may hold is capped, because a probed site chooses
// part of it (an HTTP reason phrase, say) and every append rewrites the open
// chunk: Message is cut to at most 1024 bytes on a UTF-8 rune boundary,
// ending in "…" when cut; Values keeps at most 64 keys, the first 64 in key
// order, after dropping every key longer than 64 bytes.
//
// A raw chunk or rollup pack that does not decode is moved aside into its
// series' corrupt bucket (under its tier's name and its key) by the next
// append or Compact, and skipped by queries, so damage to one series never
// stops ingestion, compaction or the other series.
//
// DB is concrete; consumers declare the small interface they need.
package store
