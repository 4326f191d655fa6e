package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	bolt "go.etcd.io/bbolt"
)

// maxFIMStateErrors caps the scan errors a state keeps (the last scan's
// first ones); ErrorCount counts them all.
const maxFIMStateErrors = 100

// maxFIMOpenChanges caps the open change records of one (policy, agent):
// past it, changes still move the mirror but are only counted
// (FIMAgentState.Unrecorded). A variable so tests can lower it.
var maxFIMOpenChanges = 100_000

// fimRefusedMessage is the scan error listed for a change the server
// ignored because the policy does not cover its path.
const fimRefusedMessage = "not under the policy's paths, or excluded: the server ignored this change"

// ApplyFIMReport commits one report of agentID in one transaction: it
// moves the server's mirror of the agent's records, the scan state, and
// creates a change record (open, with severity(path)) for each change
// that is news. It is safe against resends and lost agent state:
//
//   - a report of the epoch last committed whose (scan, seq) is not past
//     the last one is a Duplicate and changes nothing (the agent missed
//     the ack, or a delayed request arrives late); a new epoch starts the
//     numbering again;
//   - a baseline of a revision the server holds a completed baseline of
//     is compared with the mirror: the agent lost its state, and what
//     changed meanwhile becomes change records (added, modified, and at
//     its end removed for what it no longer has);
//   - any other baseline (the first, a new revision, one after a
//     baseline that never completed) replaces the mirror and records
//     nothing;
//   - a change whose after (for a removal: absence) already equals the
//     mirror creates no record: an agent that crashed after the ack and
//     before moving its own state finds and sends it again;
//   - a change of a path the policy does not cover is ignored and
//     counted as a scan error.
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
		a := fimApply{tx: tx, agentID: agentID, r: r, p: &p, severity: severity, now: now, pair: fimPairKey(r.PolicyID, agentID)}
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
		out = FIMApplied{Changes: a.created, Reset: a.reset, State: a.st}
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
	p        *FIMPolicy
	severity func(string) string
	now      time.Time
	pair     []byte
	st       FIMAgentState
	fresh    bool         // no state was stored yet
	seen     *bolt.Bucket // while a baseline is compared: the paths it sent
	reset    bool         // this report began a compared baseline
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

// duplicate reports whether the report was committed before, or is older
// than one committed: within one epoch, (scan, seq) only moves forward.
// A stale report 1 of an earlier baseline must never drop the mirror.
func (a *fimApply) duplicate() bool {
	r, st := a.r, a.st
	if a.fresh || r.Epoch != st.Epoch {
		return false
	}
	return r.Scan < st.LastScan || (r.Scan == st.LastScan && r.Seq <= st.LastSeq)
}

func (a *fimApply) apply() error {
	r := a.r
	if r.Epoch != a.st.Epoch {
		// The agent's state was made anew: its numbering starts over, and
		// any baseline it was sending before is abandoned.
		a.st.Epoch, a.st.LastScan, a.st.LastSeq = r.Epoch, 0, 0
		a.st.BaselineScan, a.st.Comparing = 0, false
	}
	mirror, err := a.begin()
	if err != nil {
		return err
	}
	if r.Seq == 1 {
		a.st.ScanStartedAt = a.now
		a.st.Errors, a.st.ErrorCount, a.st.RootErrors = nil, 0, nil
	}
	for i := range r.Changes {
		if err := a.change(mirror, &r.Changes[i]); err != nil {
			return err
		}
	}
	for _, e := range r.Errors {
		a.scanError(e)
	}
	a.st.ErrorCount = max(a.st.ErrorCount+uint64(len(r.Errors)), r.Progress.Errors)
	a.st.LastScan, a.st.LastSeq = r.Scan, r.Seq
	if r.Done {
		return a.finish(mirror)
	}
	return nil
}

// begin decides how the report's changes meet the mirror, and returns it.
// A baseline report that does not continue the baseline under way starts
// one: compared when the server holds a completed baseline of the same
// revision, else taken (the mirror dropped).
func (a *fimApply) begin() (*bolt.Bucket, error) {
	r, st := a.r, &a.st
	if !r.Baseline {
		if st.BaselineScan != 0 {
			// A baseline was left unfinished; what it compared stays.
			st.BaselineScan, st.Comparing = 0, false
			if err := a.dropSeen(); err != nil {
				return nil, err
			}
		}
		return a.mirror(false)
	}
	if st.BaselineScan == r.Scan {
		if st.Comparing {
			if err := a.openSeen(false); err != nil {
				return nil, err
			}
		}
		return a.mirror(false)
	}
	st.BaselineScan = r.Scan
	st.Comparing = st.BaselineRevision == r.Revision
	if !st.Comparing {
		st.BaselineRevision = ""
		if err := a.dropSeen(); err != nil {
			return nil, err
		}
		return a.mirror(true)
	}
	a.reset = true
	st.ResetAt, st.Reset = a.now, FIMResetMessage
	if err := a.openSeen(true); err != nil {
		return nil, err
	}
	return a.mirror(false)
}

// finish ends a scan at its last report. A compared baseline turns the
// mirror's objects it did not send into removals.
func (a *fimApply) finish(mirror *bolt.Bucket) error {
	a.st.LastScanAt = a.now
	if !a.r.Baseline {
		return nil
	}
	if a.st.Comparing {
		if err := a.removeUnseen(mirror); err != nil {
			return err
		}
		if err := a.dropSeen(); err != nil {
			return err
		}
	}
	a.st.BaselineAt, a.st.BaselineRevision = a.now, a.r.Revision
	a.st.BaselineScan, a.st.Comparing = 0, false
	return nil
}

// scanError keeps a scan error: the first ones, and every one on a
// policy path itself.
func (a *fimApply) scanError(e fim.ScanError) {
	if len(a.st.Errors) < maxFIMStateErrors {
		a.st.Errors = append(a.st.Errors, e)
	}
	if slices.Contains(a.p.Paths, e.Path) && len(a.st.RootErrors) < wire.MaxFIMPaths {
		a.st.RootErrors = append(a.st.RootErrors, e)
	}
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
	if !fimCovers(a.p, c.Path) {
		a.st.Refused++
		a.st.ErrorCount++
		if len(a.st.Errors) < maxFIMStateErrors {
			a.st.Errors = append(a.st.Errors, fim.ScanError{Path: c.Path, Error: fimRefusedMessage})
		}
		return nil
	}
	if a.st.Comparing {
		return a.compare(mirror, c)
	}
	key := []byte(c.Path)
	old, have, err := mirrorObject(mirror, key)
	if err != nil {
		return err
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
	if a.st.OpenChanges >= maxFIMOpenChanges {
		a.st.Unrecorded++
		return nil
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
	if err := indexOpenFIMChange(a.tx, &rec, key); err != nil {
		return err
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

// mirrorObject returns the server's copy of the object at key, with its
// encoded bytes; nil when the mirror holds none.
func mirrorObject(mirror *bolt.Bucket, key []byte) (*fim.Object, []byte, error) {
	have := mirror.Get(key)
	if have == nil {
		return nil, nil, nil
	}
	o, err := decodeFIMObject(have)
	if err != nil {
		return nil, have, fmt.Errorf("mirror entry %q: %w", key, err)
	}
	return &o, have, nil
}
