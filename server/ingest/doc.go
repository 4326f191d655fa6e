// Package ingest writes results to the store in batches. One writer
// goroutine collects submitted results until a batch is full or a short
// delay has passed since its first result, commits the batch in one store
// transaction (group commit), and only then hands it on to OnCommitted, so
// nothing downstream reacts to a result a crash could take back.
//
// A full queue makes Submit wait (until its context ends): results are
// never dropped silently. A failing store is retried with backoff for as
// long as the writer runs; on shutdown everything already submitted is
// committed before Run returns.
package ingest
