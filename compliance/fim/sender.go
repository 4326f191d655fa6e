package fim

import (
	"context"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pending is work for the sender: a batch to send and then apply, or
// (batch nil) silent state writes that need no confirmation.
type pending struct {
	batch *Batch
	ops   []op
	done  bool
}

// sender sends batches and applies them to the state behind the scan,
// in order, in two goroutines: one calls Send, the other commits what
// Send confirmed. So the walk and the hashing go on while the server
// confirms a batch, and the server's round trip overlaps the state
// file's fsync. When commits fall behind, the applier takes every
// confirmed batch waiting (up to maxApplyOps writes) into one
// transaction: a few small transactions instead of many tiny ones. At
// most senderQueue batches wait at each stage, which bounds the memory.
type sender struct {
	state    *State
	policyID string
	revision string
	baseline bool
	scan     uint64
	send     func(context.Context, Batch) error
	cancel   context.CancelFunc // stops the scan when sending or applying fails

	queue     chan pending // to send
	confirmed chan pending // to apply
	applied   chan struct{}
	commits   int
	written   int // bytes of records applied since the mapping was last released

	mu      sync.Mutex
	err     error  // the first failure
	changes uint64 // changes confirmed; read after finish
	objects uint64 // progress of the last batch confirmed
	errors  uint64
}

const (
	senderQueue = 2
	maxApplyOps = 5 * defaultMaxChanges
)

func (s *sender) start(ctx context.Context) {
	s.queue = make(chan pending, senderQueue)
	s.confirmed = make(chan pending, senderQueue)
	s.applied = make(chan struct{})
	go s.sendLoop(ctx)
	go s.applyLoop()
}

// put queues p, waiting while the queue is full.
func (s *sender) put(ctx context.Context, p pending) error {
	select {
	case s.queue <- p:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish waits until everything queued is sent and applied and returns
// the first failure.
func (s *sender) finish() error {
	close(s.queue)
	<-s.applied
	return s.failed()
}

func (s *sender) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
		s.cancel()
	}
}

func (s *sender) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *sender) sendLoop(ctx context.Context) {
	defer close(s.confirmed)
	for p := range s.queue {
		if s.failed() != nil {
			continue // drain: nothing more is sent or applied
		}
		if b := p.batch; b != nil {
			if err := s.send(ctx, *b); err != nil {
				s.fail(fmt.Errorf("fim: send batch %d of scan %d of policy %s: %w", b.Seq, b.Scan, s.policyID, err))
				continue
			}
			s.changes += uint64(len(b.Changes))
			s.objects, s.errors = b.Progress.Objects, b.Progress.Errors
		}
		s.confirmed <- p // the applier drains even after a failure
	}
}

// applyLoop commits what the server confirmed, even after a later Send
// failed: the server holds those batches, so the state must too.
func (s *sender) applyLoop() {
	defer close(s.applied)
	var broken bool // a commit failed: the state is not touched again
	for p := range s.confirmed {
		ops, done := p.ops, p.done
	more:
		for !done && len(ops) < maxApplyOps {
			select {
			case q, ok := <-s.confirmed:
				if !ok {
					break more
				}
				ops, done = append(ops, q.ops...), q.done
			default:
				break more
			}
		}
		if broken {
			continue
		}
		if err := s.apply(ops, done); err != nil {
			s.fail(err)
			broken = true
			continue
		}
		// Each commit reads the pages on the path to what it changed; over
		// a long baseline those add up in resident memory unless let go.
		s.commits++
		for _, o := range ops {
			s.written += len(o.key) + len(o.val)
		}
		if s.commits%releaseEvery == 0 || s.written >= releaseBytes {
			s.state.releaseMapping()
			s.written = 0
		}
	}
}

// releaseEvery is how many commits pass between releases of the state
// file's mapped pages, and releaseBytes how many bytes of records written:
// 50 commits of ordinary paths write about 15 MB, of 4 KiB paths 400 MB.
const (
	releaseEvery = 50
	releaseBytes = 16 << 20
)

// apply writes ops (and, for the last batch, the completed scan) in one
// small transaction.
func (s *sender) apply(ops []op, done bool) error {
	if len(ops) == 0 && !done {
		return nil
	}
	err := s.state.db.Update(func(tx *bolt.Tx) error {
		p, err := policyBucket(tx, s.policyID)
		if err != nil {
			return err
		}
		b := p.Bucket(bucketRecords)
		b.FillPercent = 0.9 // records arrive mostly in key order: pack pages tight
		for _, o := range ops {
			if o.val == nil {
				err = b.Delete([]byte(o.key))
			} else {
				err = b.Put([]byte(o.key), o.val)
			}
			if err != nil {
				return err
			}
		}
		if !done {
			return nil
		}
		return writeMeta(p, func(m *policyMeta) {
			m.LastScanAt = time.Now().UTC()
			m.CompletedScan = s.scan
			if s.baseline {
				m.Baselined, m.BaselineRevision = true, s.revision
			}
		})
	})
	if err != nil {
		return fmt.Errorf("fim: apply scan %d of policy %s to the state: %w", s.scan, s.policyID, err)
	}
	return nil
}
