package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// Defaults for the zero Options.
const (
	DefaultMaxBatch     = 1000
	DefaultMaxDelay     = 100 * time.Millisecond
	DefaultQueueSize    = 10000
	DefaultRetryMin     = 50 * time.Millisecond
	DefaultRetryMax     = 5 * time.Second
	DefaultDrainTimeout = 5 * time.Second
)

// ErrClosed is returned by Submit once the writer is shutting down.
var ErrClosed = errors.New("ingest: writer closed")

// Appender is the part of the store the writer needs.
type Appender interface {
	// AppendResults stores a batch in one transaction.
	AppendResults(batch []store.MonitorResult) error
}

// Options tune a Writer. Zero values take the defaults above.
type Options struct {
	MaxBatch  int           // results per transaction; more only when a Commit batch is larger
	MaxDelay  time.Duration // longest a result waits for its batch to fill
	QueueSize int           // results and batches buffered before Submit and Commit wait
	// OnCommitted is called on the writer goroutine after each batch is
	// committed, in commit order. It owns the slice. A slow callback slows
	// ingestion (the queue fills and Submit waits), it loses nothing.
	OnCommitted func(batch []store.MonitorResult)
	// RetryMin and RetryMax bound the backoff between attempts when the
	// store fails.
	RetryMin, RetryMax time.Duration
	// DrainTimeout is how long shutdown keeps retrying a failing store
	// before Run gives up and reports how many results were not written.
	DrainTimeout time.Duration
}

// Writer is the single writer of results. Submit is safe from any
// goroutine; Run is called once.
type Writer struct {
	st   Appender
	log  *slog.Logger
	opts Options

	queue chan item

	mu       sync.Mutex
	closed   bool // no Submit is accepted any more
	started  bool
	cancel   context.CancelFunc // stops Run; nil until Run starts
	inflight sync.WaitGroup     // Submit calls that passed the closed check

	done chan struct{} // closed when Run returns

	committed, batches, failures atomic.Uint64
}

// New returns a Writer for st; call Run to start it.
func New(st Appender, log *slog.Logger, opts Options) *Writer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.MaxBatch = orDefault(opts.MaxBatch, DefaultMaxBatch)
	opts.QueueSize = orDefault(opts.QueueSize, DefaultQueueSize)
	opts.MaxDelay = orDefault(opts.MaxDelay, DefaultMaxDelay)
	opts.RetryMin = orDefault(opts.RetryMin, DefaultRetryMin)
	opts.RetryMax = max(orDefault(opts.RetryMax, DefaultRetryMax), opts.RetryMin)
	opts.DrainTimeout = orDefault(opts.DrainTimeout, DefaultDrainTimeout)
	if opts.OnCommitted == nil {
		opts.OnCommitted = func([]store.MonitorResult) {}
	}
	return &Writer{
		st:    st,
		log:   log,
		opts:  opts,
		queue: make(chan item, opts.QueueSize),
		done:  make(chan struct{}),
	}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// item is one entry of the queue: a result of the server's own checks
// (done is nil), or a batch whose sender waits on done for the outcome of
// the transaction that holds it.
type item struct {
	one   store.MonitorResult
	batch []store.MonitorResult
	done  chan<- error
}

// Submit queues r for writing. When the queue is full it waits until
// there is room or ctx ends (then it returns ctx's error and r is not
// queued: the caller knows). After shutdown has begun it returns
// ErrClosed.
func (w *Writer) Submit(ctx context.Context, r store.MonitorResult) error {
	return w.enqueue(ctx, item{one: r})
}

// Commit writes batch in the writer's next transaction, together with
// whatever else is queued (group commit), and returns nil only once that
// transaction has committed and OnCommitted has seen it: an agent's batch
// may be acknowledged then and not before. A failed transaction is not
// retried for the caller: the batch is tried once more in a transaction
// of its own, so another batch's fault does not fail it, and the error of
// that attempt is returned. When ctx ends first Commit returns its error
// and the batch may still be committed later; the store drops the results
// of a resent batch that it already holds.
func (w *Writer) Commit(ctx context.Context, batch []store.MonitorResult) error {
	if len(batch) == 0 {
		return nil
	}
	done := make(chan error, 1) // the writer never waits for the caller
	if err := w.enqueue(ctx, item{batch: batch, done: done}); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("ingest: commit: %w", ctx.Err())
	}
}

// enqueue puts it on the queue, waiting for room until ctx ends.
func (w *Writer) enqueue(ctx context.Context, it item) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.inflight.Add(1)
	w.mu.Unlock()
	defer w.inflight.Done()
	select {
	case w.queue <- it:
		return nil
	default:
	}
	select {
	case w.queue <- it:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ingest: submit: %w", ctx.Err())
	}
}

// Close stops the writer and waits until everything submitted before it
// is committed (or given up on, see Options.DrainTimeout). When Run was
// never started, Close commits the queue itself.
func (w *Writer) Close() {
	w.mu.Lock()
	w.closed = true
	cancel, started := w.cancel, w.started
	w.started = true
	w.mu.Unlock()
	if !started {
		defer close(w.done)
		if err := w.shutdown(group{}); err != nil {
			w.log.Error("close", "err", err)
		}
		return
	}
	if cancel != nil {
		cancel()
	}
	<-w.done
}

// Stats counts what the writer has done.
type Stats struct {
	Queued    int    // results and batches waiting in the queue
	Committed uint64 // results committed
	Batches   uint64 // transactions committed
	Failures  uint64 // failed store attempts (each retried)
}

// Stats returns the current counters.
func (w *Writer) Stats() Stats {
	return Stats{
		Queued:    len(w.queue),
		Committed: w.committed.Load(),
		Batches:   w.batches.Load(),
		Failures:  w.failures.Load(),
	}
}
