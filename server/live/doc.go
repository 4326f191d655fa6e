// Package live keeps an in-memory summary of every monitor for the
// dashboard, so listing thousands of monitors needs no store access: the
// newest result per location, the status, a sparkline of recent
// latencies, uptime over 24 hours and 30 days, and the last check time.
//
// Uptime is kept in a ring of 720 hourly buckets per monitor with running
// sums for both windows, so reading it costs O(1) however much history
// there is. Uptime is (ok + warning) / all results, in percent. The ring
// is packed (see hours): a monitor that ran every 10 s for 30 days
// without failing holds 360 bytes of it, a sixteenth of the plain ring,
// which at 10,000 monitors was the largest part of the server's heap.
package live
