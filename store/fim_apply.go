package store

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	bolt "go.etcd.io/bbolt"
)

// maxFIMStateErrors caps the scan errors a state keeps (the last scan's
// first ones); ErrorCount counts them all.
const maxFIMStateErrors = 100

// ApplyFIMReport commits one report of agentID in one transaction: it
// moves the server's mirror of the agent's records, the scan state, and
// creates a change record (open, with severity(path)) for each change
// that is news. It is safe against resends:
//
//   - a report whose (scan, seq) is not past the last one committed is a
//     Duplicate and changes nothing (the agent missed the ack);
//   - report 1 of a baseline starts over: the mirror is dropped, and
//     baselines create no change records;
//   - a change whose after (for a removal: absence) already equals the
//     mirror creates no record: an agent that crashed after the ack and
//     before moving its own state finds and sends it again.
//
// An unknown policy is ErrNotFound and a report of another revision than
// the policy's is ErrFIMRevision; neither changes anything.
func (db *DB) ApplyFIMReport(agentID string, r *wire.FIMReport, severity func(path string) string, now time.Time) (FIMApplied, error) {
	var out FIMApplied
	now = now.UTC()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out = FIMApplied{}
		pkey, err := mustIDKey(r.PolicyID)
		if err != nil {
			return err
		}
		var p FIMPolicy
		if err := getJSON(tx.Bucket(bucketFIMPolicies), pkey, &p); err != nil {
			return err
		}
		if r.Revision != p.Revision {
			return ErrFIMRevision
		}
		a := fimApply{tx: tx, agentID: agentID, r: r, severity: severity, now: now, pair: fimPairKey(r.PolicyID, agentID)}
		if err := a.loadState(); err != nil {
			return err
		}
		if a.duplicate() {
			out = FIMApplied{Duplicate: true, State: a.st}
			return nil
		}
		if err := a.apply(); err != nil {
			return err
		}
		out = FIMApplied{Changes: a.created, State: a.st}
		return putJSON(tx.Bucket(bucketFIMStates), a.pair, a.st)
	})
	if err != nil {
		return FIMApplied{}, fmt.Errorf("store: apply file integrity report of agent %s, policy %s, scan %d, report %d: %w",
			agentID, r.PolicyID, r.Scan, r.Seq, err)
	}
	return out, nil
}

// fimApply is one report being applied inside a transaction.
type fimApply struct {
	tx       *bolt.Tx
	agentID  string
	r        *wire.FIMReport
	severity func(string) string
	now      time.Time
	pair     []byte
	st       FIMAgentState
	fresh    bool // no state was stored yet
	created  []FIMChange
}

func (a *fimApply) loadState() error {
	err := getJSON(a.tx.Bucket(bucketFIMStates), a.pair, &a.st)
	switch {
	case errors.Is(err, ErrNotFound):
		a.fresh = true
		a.st = FIMAgentState{PolicyID: a.r.PolicyID, AgentID: a.agentID}
		return nil
	case err != nil:
		return fmt.Errorf("read state: %w", err)
	}
	return nil
}

// duplicate reports whether the report was committed before. Report 1 of
// a baseline is news unless it is the very last one committed: an agent
// that lost its own state numbers its scans from 1 again, and must be
// able to start over.
func (a *fimApply) duplicate() bool {
	if a.fresh {
		return false
	}
	r, st := a.r, a.st
	if r.Scan == st.LastScan && r.Seq == st.LastSeq {
		return true
	}
	if r.Baseline && r.Seq == 1 {
		return false
	}
	return r.Scan < st.LastScan || (r.Scan == st.LastScan && r.Seq < st.LastSeq)
}

func (a *fimApply) apply() error {
	r := a.r
	mirror, err := a.mirror(r.Baseline && r.Seq == 1)
	if err != nil {
		return err
	}
	if r.Seq == 1 {
		a.st.ScanStartedAt = a.now
		a.st.Errors, a.st.ErrorCount = nil, 0
	}
	for i := range r.Changes {
		if err := a.change(mirror, &r.Changes[i]); err != nil {
			return err
		}
	}
	for _, e := range r.Errors {
		if len(a.st.Errors) < maxFIMStateErrors {
			a.st.Errors = append(a.st.Errors, e)
		}
	}
	a.st.ErrorCount = max(a.st.ErrorCount+uint64(len(r.Errors)), r.Progress.Errors)
	a.st.LastScan, a.st.LastSeq = r.Scan, r.Seq
	if r.Done {
		a.st.LastScanAt = a.now
		if r.Baseline {
			a.st.BaselineAt = a.now
		}
	}
	return nil
}

// mirror returns the pair's mirror bucket, emptied when drop is set.
func (a *fimApply) mirror(drop bool) (*bolt.Bucket, error) {
	top := a.tx.Bucket(bucketFIMMirror)
	if drop {
		if top.Bucket(a.pair) != nil {
			if err := top.DeleteBucket(a.pair); err != nil {
				return nil, fmt.Errorf("drop mirror: %w", err)
			}
		}
		a.st.Objects, a.st.Bytes = 0, 0
	}
	b, err := top.CreateBucketIfNotExists(a.pair)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	return b, nil
}

// change applies one change to the mirror and records it when it is news.
func (a *fimApply) change(mirror *bolt.Bucket, c *fim.Change) error {
	key := []byte(c.Path)
	have := mirror.Get(key)
	var old *fim.Object
	if have != nil {
		o, err := decodeFIMObject(have)
		if err != nil {
			return fmt.Errorf("mirror entry %q: %w", c.Path, err)
		}
		old = &o
	}
	switch c.Kind {
	case fim.Removed:
		if have == nil {
			return nil // already gone: a resend
		}
		if err := mirror.Delete(key); err != nil {
			return err
		}
		a.count(old, -1)
	default: // added, modified: wire.Validate made sure After is set
		if c.After == nil {
			return fmt.Errorf("change of %q has no after", c.Path)
		}
		// A fresh slice each time: bbolt keeps what Put is given until
		// the transaction commits.
		enc := encodeFIMObject(nil, c.After)
		if have != nil && bytes.Equal(have, enc) {
			return nil // the mirror has it already: a resend
		}
		if err := mirror.Put(key, enc); err != nil {
			return err
		}
		a.count(old, -1)
		a.count(c.After, +1)
	}
	if a.r.Baseline {
		return nil
	}
	return a.record(c)
}

// count adds (sign +1) or takes away (-1) o from the mirror's totals.
func (a *fimApply) count(o *fim.Object, sign int) {
	if o == nil {
		return
	}
	var size uint64
	if o.Type == fim.TypeFile && o.Size > 0 {
		size = uint64(o.Size)
	}
	if sign > 0 {
		a.st.Objects++
		a.st.Bytes += size
		return
	}
	a.st.Objects -= min(a.st.Objects, 1)
	a.st.Bytes -= min(a.st.Bytes, size)
}

// record stores an open change record and indexes it.
func (a *fimApply) record(c *fim.Change) error {
	sev := FIMMedium
	if a.severity != nil {
		if s := a.severity(c.Path); validFIMSeverity(s) {
			sev = s
		}
	}
	b := a.tx.Bucket(bucketFIMChanges)
	id, key, err := newID(b)
	if err != nil {
		return err
	}
	rec := FIMChange{
		ID: id, PolicyID: a.r.PolicyID, AgentID: a.agentID, Path: c.Path, Change: c.Kind, Severity: sev,
		Attrs: c.Attrs, Before: c.Before, After: c.After, DetectedAt: a.now,
	}
	if err := putJSON(b, key, rec); err != nil {
		return err
	}
	if err := a.tx.Bucket(bucketFIMOpen).Put(fimOpenKey(a.agentID, a.r.PolicyID, key), []byte(sev)); err != nil {
		return fmt.Errorf("index open change: %w", err)
	}
	a.st.OpenChanges++
	a.created = append(a.created, rec)
	return nil
}

// validFIMSeverity reports whether s is one of FIMSeverities.
func validFIMSeverity(s string) bool {
	for _, v := range FIMSeverities {
		if s == v {
			return true
		}
	}
	return false
}
