package fim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// window bounds the groups between the walk and the reporter (up to
// window*groupItems items): it is how far hashing may run ahead of the
// order results are reported in.
const window = 16

// hashedCap is the room for groups whose hashing finished: at most window
// taken by the reporter and waiting, window more in the ordered queue,
// and the one the walk is handing on, so a worker never blocks telling.
const hashedCap = 2*window + 2

// Scan walks the policy's paths once, reports what changed through
// o.Send, and moves the local state batch by batch as Send confirms.
//
// When the policy has no completed baseline for its revision (first scan,
// new revision, or a baseline that was interrupted) the scan is a
// baseline: the policy's records are cleared first and every object is
// sent as added with Baseline set. Otherwise the scan reports added,
// removed and modified objects; a change in an attribute the policy does
// not watch updates the state silently.
//
// An error from Send (or a cancelled ctx) stops the scan; what was
// confirmed is kept and the next Scan finds the rest again.
func (s *State) Scan(ctx context.Context, p Policy, o ScanOptions) (Summary, error) {
	pl, err := p.plan()
	if err != nil {
		return Summary{}, err
	}
	if o.Send == nil {
		return Summary{}, errors.New("fim: scan options have no Send")
	}
	if o.MaxChanges <= 0 {
		o.MaxChanges = defaultMaxChanges
	}
	if o.Every <= 0 {
		o.Every = defaultEvery
	}
	if err := s.claim(p.ID); err != nil {
		return Summary{}, err
	}
	defer s.release(p.ID)
	defer raiseGC()()

	r, full, err := s.startScan(p, pl, o)
	if err != nil {
		return Summary{}, err
	}
	err = s.run(ctx, p, pl, full, r)
	r.sum.Finished = time.Now().UTC()
	r.sum.Hashed = r.hasher.hashed.Load()
	return r.sum, err
}

// startScan numbers the scan and, for a baseline, clears the old records.
// The number is stored before anything is sent: the server drops a
// (scan, seq) it already committed, so a number must never be reused.
func (s *State) startScan(p Policy, pl plan, o ScanOptions) (*reporter, bool, error) {
	var m policyMeta
	err := s.updateMeta(p.ID, func(pm *policyMeta) {
		pm.LastScan++
		if !pm.Baselined || pm.BaselineRevision != p.Revision {
			pm.Baselined, pm.BaselineRevision = false, ""
		}
		m = *pm
	})
	if err != nil {
		return nil, false, err
	}
	baseline := !m.Baselined
	if baseline {
		if err := s.clearRecords(p.ID); err != nil {
			return nil, false, err
		}
	}
	full := baseline || p.FullRehashEvery > 0 && m.LastScan%uint64(p.FullRehashEvery) == 0
	now := time.Now().UTC()
	r := &reporter{
		state: s, policyID: p.ID, revision: p.Revision, plan: pl, opts: o,
		hasher: &hasher{budget: newBudget(p.IOLimit), open: s.open.content, workers: pl.workers,
			stallLimit: cmp.Or(s.stallLimit, defaultStallLimit)},
		sum:      Summary{Scan: m.LastScan, Baseline: baseline, Started: now},
		lastSend: time.Now(),
	}
	return r, full, nil
}

// run is the pipeline: one goroutine walks and merge-joins with the
// stored records, workers hash, and the calling goroutine reports in walk
// order and applies confirmed batches.
func (s *State) run(ctx context.Context, p Policy, pl plan, full bool, r *reporter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ordered := make(chan *group, window)
	jobs := make(chan *group, window*pl.workers) // each group once per worker
	hashed := make(chan *group, hashedCap)
	r.hasher.big = newBigFiles(pl.workers, func() int { return len(jobs) })
	pool := newHashPool(ctx, r.hasher, jobs, pl.workers)
	var wg sync.WaitGroup // the walk
	var walkErr error
	dirs := &dirSet{}
	defer dirs.closeAll() // after pool.wait below: what a stopped scan left held
	wg.Go(func() {
		defer close(ordered)
		defer close(jobs)
		defer r.hasher.big.walkOver() // before jobs closes
		lowerThreadPriority()
		j := &joiner{ctx: ctx, plan: pl, full: full, ordered: ordered, jobs: jobs, hashed: hashed, workers: pl.workers,
			stored: &storedIter{db: s.db, policyID: []byte(p.ID)}}
		w := &walker{plan: pl, names: s.open.names, emit: j.event, statLater: r.sum.Baseline && pl.hash, dirs: dirs}
		walkErr = w.walk(ctx)
		if walkErr == nil {
			walkErr = j.finish()
		}
	})
	r.ctx = ctx
	r.out = &sender{state: s, policyID: p.ID, revision: p.Revision, baseline: r.sum.Baseline,
		scan: r.sum.Scan, send: r.opts.Send, cancel: cancel}
	r.out.start(ctx)
	err := r.consume(ctx, ordered, hashed)
	if err == nil {
		wg.Wait() // the walk is over: its error, if any, is final
		if walkErr != nil {
			err = fmt.Errorf("fim: scan %s: %w", p.ID, walkErr)
		} else {
			err = r.flush(ctx, true)
		}
	}
	if err != nil {
		cancel() // a Send still retrying must give up before finish waits for it
	}
	sendErr := r.out.finish()
	cancel()
	wg.Wait()
	pool.wait()
	r.sum.Changes, r.sum.Objects, r.sum.Errors = r.out.changes, r.out.objects, r.out.errors
	if sendErr != nil {
		return sendErr // the cause; err is then only the cancellation it caused
	}
	return err
}
