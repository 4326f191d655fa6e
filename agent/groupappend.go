package agent

import (
	"errors"
	"sync"

	"github.com/vigil-monitor/vigil/agent/spool"
)

// groupAppend is a group commit in front of the spool: records that
// several goroutines hand in while a write is going on are appended
// together by the next write, with one fsync for all of them. The agent
// runs its host checks together, so their results arrive within a few
// milliseconds of each other, and each fsync is a good part of the CPU
// time of an idle agent. Like a lone Append, add returns only once its
// own record is durable.
type groupAppend struct {
	append func(data ...[]byte) (lastSeq uint64, err error)

	mu      sync.Mutex
	written *sync.Cond   // broadcast when a write ends
	next    *appendGroup // the records for the next write; nil when none wait
	writing bool
}

// appendGroup is the records of one write and, once written, the outcome
// for each.
type appendGroup struct {
	data [][]byte
	errs []error
	done bool
}

func newGroupAppend(append func(data ...[]byte) (uint64, error)) *groupAppend {
	g := &groupAppend{append: append}
	g.written = sync.NewCond(&g.mu)
	return g
}

// add stores rec durably. The caller that finds no write going on writes
// its group (its own record and any that join while it waits for the
// lock); the others wait for the write of their group.
func (g *groupAppend) add(rec []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == nil {
		g.next = &appendGroup{}
	}
	grp, i := g.next, len(g.next.data)
	grp.data = append(grp.data, rec)
	for g.writing && !grp.done {
		g.written.Wait()
	}
	if !grp.done {
		g.writing, g.next = true, nil
		g.mu.Unlock()
		errs := g.write(grp.data)
		g.mu.Lock()
		grp.errs, grp.done, g.writing = errs, true, false
		g.written.Broadcast()
	}
	return grp.errs[i]
}

// write appends data in one batch and returns each record's error. The
// spool refuses a whole batch for one record over its size limit: then
// each record is appended alone, so that one does not cost the others.
func (g *groupAppend) write(data [][]byte) []error {
	errs := make([]error, len(data))
	_, err := g.append(data...)
	if len(data) > 1 && errors.Is(err, spool.ErrTooLarge) {
		for i, d := range data {
			_, errs[i] = g.append(d)
		}
		return errs
	}
	for i := range errs {
		errs[i] = err
	}
	return errs
}
