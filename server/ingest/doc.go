// Package ingest writes results to the store in batches. One writer
// goroutine collects submitted results until a batch is full or a short
// delay has passed since its first result, commits the batch in one store
// transaction (group commit), and only then hands it on to OnCommitted, so
// nothing downstream reacts to a result a crash could take back.
//
// Agents' result batches join the same transactions through Commit, which
// returns only once the transaction holding the batch has committed: the
// gateway acknowledges a batch then, so an acknowledged result is on disk,
// and a thousand agents cost the store a few transactions a second instead
// of one fsync per batch. A transaction that fails is not retried for
// them: each batch is tried alone once (so one bad batch does not fail the
// others) and its sender learns the outcome; the agent sends it again.
//
// A full queue makes Submit and Commit wait (until their context ends):
// results are never dropped silently. The server's own results are
// retried with backoff for as long as the writer runs; on shutdown
// everything already queued is committed before Run returns.
package ingest
